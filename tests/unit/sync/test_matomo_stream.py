"""The Matomo visits stream: where a read starts, and the records a visit becomes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from connectors.analytics.settings import MatomoSettings
from connectors.analytics.visits import Goal, Order, Visit
from sync.streams import InteractionStream
from sync.streams.connections import Connections
from sync.streams.matomo import MatomoVisitsStream, open_matomo_streams, visit_rows
from tests.unit.sync.conftest import MakeConfig

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2024, 5, 2, 8, 0, tzinfo=UTC)  # 10:00 in Berlin


def _stream(**changes: object) -> MatomoVisitsStream:
    settings = MatomoSettings.model_validate({
        "base_url": "https://stats.example.com", "site_id": 3, "token_auth": "t", **changes})
    return MatomoVisitsStream(settings, 3, now=lambda: NOW)


def test_a_read_starts_an_hour_before_the_cursor() -> None:
    since = NOW - timedelta(minutes=20)
    assert _stream().start(since, BERLIN) == since - timedelta(hours=1)
    assert _stream(overlap_seconds=0).start(since, BERLIN) == since


def test_the_first_read_of_a_site_local_day_rereads_two_days() -> None:
    # 23:30 UTC on May 1st is already May 2nd in Berlin: the same local day, no re-read
    same_day = datetime(2024, 5, 1, 22, 30, tzinfo=UTC)
    assert _stream().start(same_day, BERLIN) == same_day - timedelta(hours=1)
    yesterday = datetime(2024, 5, 1, 21, 30, tzinfo=UTC)  # 23:30 on May 1st in Berlin
    assert _stream().start(yesterday, BERLIN) == NOW - timedelta(days=2)
    honolulu = ZoneInfo("Pacific/Honolulu")  # both on May 1st there: no re-read
    assert _stream().start(yesterday, honolulu) == yesterday - timedelta(hours=1)
    assert _stream(reread_days=0).start(yesterday, BERLIN) == yesterday - timedelta(hours=1)


def test_without_a_cursor_the_history_is_read() -> None:
    assert _stream(history_days=30).start(None, BERLIN) == NOW - timedelta(days=30)


def _visit(**changes: object) -> Visit:
    values: dict[str, object] = {
        "site_id": 3, "visit_id": "41", "user_id": "C-1", "visitor_id": "abc",
        "first_action_at": NOW - timedelta(minutes=5), "last_action_at": NOW,
        "pageviews": 3, "events": 1, "currency": "EUR"}
    values.update(changes)
    return Visit(**values)  # type: ignore[arg-type]


def test_a_visit_becomes_a_visit_goal_and_order_records_with_one_cursor() -> None:
    goal_at, order_at = NOW - timedelta(minutes=3), NOW - timedelta(minutes=1)
    rows = visit_rows(_visit(goals=(Goal("2", "Signup", 0.0, goal_at),),
                             orders=(Order("A-9", 49.5, order_at),)))
    assert [(r["id"], r["kind"], r["occurred_at"]) for r in rows] == [
        ("3:41", "visit", NOW - timedelta(minutes=5)),
        (f"3:41:goal:2:{int(goal_at.timestamp())}", "goal", goal_at),
        ("order:A-9", "order", order_at)]
    assert {r["last_action_at"] for r in rows} == {NOW}
    assert all(r["matomo_user_id"] == "C-1" for r in rows)
    assert rows[0]["detail"] == {"site_id": 3, "visit_id": "41", "visitor_id": "abc",
                                 "pageviews": 3, "events": 1, "goals": 1, "orders": 1}
    assert rows[1]["detail"]["goal"] == "Signup" and rows[2]["amount"] == 49.5
    assert rows[2]["currency"] == "EUR" and rows[2]["detail"]["order_id"] == "A-9"
    kept = visit_rows(_visit(details={"ip": "203.0.113.7"}))
    assert kept[0]["detail"]["ip"] == "203.0.113.7"


def test_the_opener_yields_one_stream_per_site(make_config: MakeConfig) -> None:
    config = make_config(sources={"matomo": {
        "base_url": "https://stats.example.com", "site_id": 3, "site_ids": [5, 3],
        "token_auth": "t"}})
    with open_matomo_streams(config, Connections()) as streams:
        assert [s.name for s in streams] == ["matomo_visits_3", "matomo_visits_5"]
        assert all(isinstance(s, InteractionStream) and s.channel == "web" for s in streams)
    with open_matomo_streams(make_config(), Connections()) as none:
        assert none == []


def test_settings_need_a_site() -> None:
    with pytest.raises(ValueError, match="site_id"):
        MatomoSettings.model_validate({"base_url": "https://s.example.com", "token_auth": "t"})
