"""Scheduler pieces: which tick is due, and one claim per tick across processes."""

from __future__ import annotations

from datetime import UTC, datetime

from sync.scheduler import claim_tick, latest_fire_time
from sync.store import Store


def test_latest_fire_time_in_the_client_timezone() -> None:
    now = datetime(2026, 3, 2, 9, 47, 12, tzinfo=UTC)
    assert latest_fire_time("*/30 * * * *", "UTC", now) == datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    # 02:00 in Berlin (UTC+1 in winter) is 01:00 UTC; at 00:30 UTC the last one was yesterday
    daily = latest_fire_time("0 2 * * *", "Europe/Berlin", datetime(2026, 3, 2, 0, 30,
                                                                    tzinfo=UTC))
    assert daily == datetime(2026, 3, 1, 1, 0, tzinfo=UTC)
    monthly = latest_fire_time("0 0 1 * *", "UTC", now)
    assert monthly == datetime(2026, 3, 1, tzinfo=UTC)


def test_a_tick_is_claimed_once(store: Store) -> None:
    tick = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    assert claim_tick(store, "sync:acme", tick) is True
    assert claim_tick(store, "sync:acme", tick) is False
    assert claim_tick(store, "sync:globex", tick) is True
    assert claim_tick(store, "sync:acme", tick.replace(minute=31)) is True
