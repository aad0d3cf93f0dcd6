"""Dates as exports write them: a given format reads every date; without one, day and month
are never guessed."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from enrichment.date_text import parse_dates
from enrichment.errors import EnrichmentError

MOMENTS = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2060, 12, 31))
DAYS = MOMENTS.map(lambda moment: moment.replace(hour=0, minute=0, second=0, microsecond=0))
FORMATS = ["%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%y",
           "%m/%d/%Y %I:%M %p", "%d.%m.%Y %H:%M", "%Y-%m-%dT%H:%M:%S"]
NO_GUESS = ["%d/%m/%Y", "%m/%d/%Y", "%d-%m-%Y", "%m-%d-%Y", "%d %m %Y", "%d/%m/%y",
            "%d.%m.%Y", "%d.%m.%Y %H:%M", "%Y-%m-%d", "%b %d, %Y", "%d %B %Y"]


def stamps(dates: list[datetime], fmt: str) -> list[datetime]:
    """What ``fmt`` keeps of each date (minutes, not seconds, for formats without %S)."""
    kept = [datetime.strptime(d.strftime(fmt), fmt) for d in dates]
    return [pd.Timestamp(k, tz="UTC") for k in kept]


def parsed(texts: list[str], fmt: str | None) -> list[pd.Timestamp]:
    return parse_dates(pa.array(texts, pa.string()), column="d", date_format=fmt).tolist()


@settings(deadline=None)
@given(st.sampled_from(FORMATS), st.lists(MOMENTS, min_size=1, max_size=30))
def test_a_given_format_reads_every_date(fmt: str, moments: list[datetime]) -> None:
    assert parsed([m.strftime(fmt) for m in moments], fmt) == stamps(moments, fmt)


@settings(deadline=None)
@given(st.sampled_from(NO_GUESS), st.lists(MOMENTS, min_size=1, max_size=30))
def test_without_a_format_a_date_is_read_right_or_refused_never_guessed(
        fmt: str, moments: list[datetime]) -> None:
    texts = [m.strftime(fmt) for m in moments]
    try:
        read = parsed(texts, None)
    except EnrichmentError as refused:
        assert refused.column == "d" and refused.hint and "--date-format" in refused.hint
        assert fmt[1] in "dm" and fmt[2] in "/- "            # only numbers that swap
        return
    assert read == stamps(moments, fmt)


@settings(deadline=None)
@given(st.lists(DAYS, min_size=1, max_size=30))
def test_the_refusal_names_the_format_the_days_prove(days: list[datetime]) -> None:
    texts = [d.strftime("%d/%m/%Y") for d in days]
    with pytest.raises(EnrichmentError) as refused:
        parsed(texts, None)
    if any(d.day > 12 for d in days) and any(d.day != d.month for d in days):
        assert refused.value.hint == "pass --date-format %d/%m/%Y"
    elif all(d.day <= 12 for d in days):
        assert "read both as day/month and as month/day" in refused.value.reason


def test_a_column_mixing_both_readings_is_refused_naming_both_lines() -> None:
    with pytest.raises(EnrichmentError) as refused:
        parse_dates(pa.array(["01/02/2024", "13/11/2024", "11/13/2024"]), column="d",
                    date_format=None, where=lambda i: f"line {i + 2}")
    assert str(refused.value) == (
        "column 'd': '13/11/2024' (line 3) and '11/13/2024' (line 4) both appear: the column "
        "mixes day/month and month/day dates (hint: make the column consistent, then pass "
        "--date-format)")


@pytest.mark.parametrize(("text", "expected"), [
    ("2024-11-03T14:05:00+01:00", "2024-11-03 13:05"),
    ("03.11.2024 2:05 PM", "2024-11-03 14:05"),
    ("Nov 3, 2024", "2024-11-03 00:00"),
    ("03.13.2024", None),          # dots are day-first: month 13 is not a date
    ("3/12", None),                # no year
    ("November 2024", None),       # no day
    ("1700000000", None),
    ("", None),
])
def test_examples_without_a_format(text: str, expected: str | None) -> None:
    (value,) = parsed([text], None)
    assert (None if pd.isna(value) else value.strftime("%Y-%m-%d %H:%M")) == expected
