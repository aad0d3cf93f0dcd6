"""The day clock: traits are computed as of the start of the day (or hour) in the client's
timezone, so every moment of one day gives the same observation end."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from enrichment.observation_end import observation_end
from enrichment.settings import AsOf

BERLIN_DAY = datetime(2026, 12, 2, 23, 0, tzinfo=UTC)  # 3 December, 00:00 in Berlin


@given(st.integers(0, 24 * 3600 - 1))
def test_every_second_of_a_local_day_gives_its_midnight(second: int) -> None:
    now = BERLIN_DAY + timedelta(seconds=second)
    assert observation_end(now, "Europe/Berlin", AsOf.DAY) == BERLIN_DAY


def test_hour_rule_and_utc() -> None:
    now = datetime(2026, 12, 3, 14, 59, 59, tzinfo=UTC)
    assert observation_end(now, "UTC", AsOf.HOUR) == datetime(2026, 12, 3, 14, tzinfo=UTC)
    assert observation_end(now, "UTC", AsOf.DAY) == datetime(2026, 12, 3, tzinfo=UTC)


def test_a_daylight_saving_day_starts_at_its_own_midnight() -> None:
    # 29 March 2026: Berlin moves from UTC+1 to UTC+2 at 02:00
    now = datetime(2026, 3, 29, 20, 0, tzinfo=UTC)
    assert observation_end(now, "Europe/Berlin", AsOf.DAY) == datetime(2026, 3, 28, 23,
                                                                       tzinfo=UTC)


def test_a_naive_moment_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        observation_end(datetime(2026, 12, 3, 12), "UTC", AsOf.DAY)
