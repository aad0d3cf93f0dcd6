"""Matomo visits from the sandbox's Matomo endpoints into the store, through the real client.

The sandbox's history ends today, so the stream's ranges (site-local days up to today) and
the first sync's history window see all of it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from click.testing import Result
from sqlalchemy import select

from sandbox import RunningSandbox, running_sandbox
from sync.config import ClientConfig
from sync.pull import sync_client
from sync.store import Store
from sync.store.schema import INTERACTIONS
from sync.streams.cursor import decode_cursor, encode_cursor, later
from sync.streams.matomo import MatomoVisitsStream
from tests.e2e.sandbox_sync import SECRET_ENV, client_config, write_client_file

pytestmark = pytest.mark.e2e

STREAM = "matomo_visits_1"


@pytest.fixture(scope="module")
def sb() -> Iterator[RunningSandbox]:
    with running_sandbox(customers=150, seed=11, anchor=datetime.now(UTC).date()) as running:
        yield running


@pytest.fixture(autouse=True)
def _faults_off(sb: RunningSandbox) -> Iterator[None]:
    yield
    sb.settings.faults.matomo_visits_log = "on"
    sb.settings.faults.matomo_memory_visits = None


def _matomo(sb: RunningSandbox, **changes: Any) -> dict[str, Any]:
    return {"base_url": f"{sb.base_url}/matomo", "site_id": sb.settings.matomo_site_id,
            "token_auth": sb.settings.matomo_token.get_secret_value(), "user_id_is_email": True,
            "page_size": 40, "http": {"backoff_initial": 0.01, "backoff_max": 0.05},
            **changes}


@pytest.fixture
def client_file(sb: RunningSandbox, clients_dir: Path, tmp_path: Path,
                monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(SECRET_ENV, sb.client_secret)
    path = write_client_file(clients_dir, sb, f"sqlite:///{tmp_path / 'acme.sqlite3'}",
                             page_size=100)
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    document["sources"] = {"matomo": _matomo(sb)}
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def _api_visits(sb: RunningSandbox) -> list[dict[str, Any]]:
    """Every visit the sandbox's Live API lists, straight from the endpoint."""
    return list(httpx.post(f"{sb.base_url}/matomo/index.php", data={
        "module": "API", "method": "Live.getLastVisitsDetails", "format": "JSON",
        "idSite": "1", "filter_limit": "-1", "filter_sort_order": "asc",
        "token_auth": sb.settings.matomo_token.get_secret_value()}).json())


def _stored(config: ClientConfig) -> list[Any]:
    with Store.for_config(config) as store, store.transaction() as connection:
        return list(connection.execute(select(INTERACTIONS).where(
            INTERACTIONS.c.stream == STREAM)))


def test_sync_stores_every_visit_goal_and_order_linked_to_its_contact(
        sb: RunningSandbox, client_file: Path) -> None:
    config = client_config(client_file)
    sb_visits = _api_visits(sb)
    steps = [s for v in sb_visits for s in v["actionDetails"]]
    orders = {s["orderId"]: float(s["revenue"]) for s in steps if s["type"] == "ecommerceOrder"}
    expected = len(sb_visits) + sum(s["type"] == "goal" for s in steps) + len(orders)

    first = sync_client(config)
    assert first.streams[STREAM].new == expected and not first.errors
    rows = _stored(config)
    assert {r.channel for r in rows} == {"web"}
    assert sorted(r.kind for r in rows if r.kind == "order") == ["order"] * len(orders)
    assert {r.id.removeprefix("order:"): r.amount for r in rows if r.kind == "order"} == orders
    pageviews = {f"1:{v['idVisit']}": int(v["actions"]) for v in sb_visits}
    assert {r.id: json.loads(r.detail)["pageviews"] for r in rows
            if r.kind == "visit"} == pageviews
    logged_in = {f"1:{v['idVisit']}" for v in sb_visits if v["userId"]}
    matched = {r.id for r in rows if r.kind == "visit" and r.match == "matched"}
    assert matched == logged_in and all(r.person_module == "Contacts" for r in rows
                                        if r.match == "matched")

    again = sync_client(config)
    assert again.streams[STREAM].new == again.streams[STREAM].changed == 0
    assert len(_stored(config)) == expected


def test_a_memory_error_halves_the_page_and_loses_nothing(
        sb: RunningSandbox, client_file: Path) -> None:
    listed = {f"1:{v['idVisit']}" for v in _api_visits(sb)}
    sb.settings.faults.matomo_memory_visits = 15
    config = client_config(client_file)
    summary = sync_client(config)
    assert not summary.errors
    assert {r.id for r in _stored(config) if r.kind == "visit"} == listed


@pytest.mark.parametrize(("switch", "who"), [("off_globally", "super user"),
                                             ("off_for_site", "admin access to site 1")])
def test_a_deactivated_visits_log_fails_the_stream_and_check_says_who_enables_it(
        sb: RunningSandbox, client_file: Path, run_cli: Callable[..., Result],
        switch: str, who: str) -> None:
    sb.settings.faults.matomo_visits_log = switch  # type: ignore[assignment]
    summary = sync_client(client_config(client_file))
    assert who in (summary.streams[STREAM].error or "")
    assert summary.streams["Contacts"].new > 0  # the other streams still ran
    checked = run_cli("check", "acme", env={SECRET_ENV: sb.client_secret})
    assert checked.exit_code == 1
    assert "Matomo.site 1 visits log" in checked.stdout and who in checked.stdout
    sb.settings.faults.matomo_visits_log = "on"
    assert run_cli("check", "acme", env={SECRET_ENV: sb.client_secret}).exit_code == 0


# -- the Stream contract over the visits stream ---------------------------------------------


@pytest.fixture
def stream(sb: RunningSandbox, client_file: Path) -> MatomoVisitsStream:
    (found,) = [s for s in _streams(client_config(client_file)) if s.name == STREAM]
    return found


def _streams(config: ClientConfig) -> list[MatomoVisitsStream]:
    settings = config.sources.matomo
    assert settings is not None
    return [MatomoVisitsStream(settings, site) for site in settings.sites]


def _all(stream: MatomoVisitsStream, since: datetime | None) -> list[dict[str, Any]]:
    return [row for page in stream.read(since) for row in page]


def test_records_carry_id_time_kind_and_cursor(stream: MatomoVisitsStream) -> None:
    rows = _all(stream, None)
    assert rows and len({r["id"] for r in rows}) == len(rows)
    assert all(isinstance(r["id"], str) and r["kind"] in {"visit", "goal", "order"}
               and r["occurred_at"].tzinfo is not None for r in rows)
    assert not any(key in r["detail"] for r in rows for key in ("ip", "fingerprint", "urls"))
    assert "198.51.100" not in repr(rows)  # the sandbox's visitor IPs


def test_cursor_never_goes_back_and_round_trips(stream: MatomoVisitsStream) -> None:
    cursor = previous = None
    for page in stream.read(None):
        for row in page:
            assert previous is None or row[stream.cursor_field] >= previous
            previous = row[stream.cursor_field]
            cursor = later(cursor, previous)
    assert cursor is not None and decode_cursor(encode_cursor(cursor)) == cursor


def test_reread_from_saved_state_yields_only_the_overlap_and_everything_newer(
        stream: MatomoVisitsStream) -> None:
    rows = _all(stream, None)
    middle = sorted(r[stream.cursor_field] for r in rows)[len(rows) // 2]
    saved = decode_cursor(encode_cursor(middle))
    assert isinstance(saved, datetime)
    again = _all(stream, saved)
    floor = saved - timedelta(seconds=stream.settings.overlap_seconds)
    assert again and all(r[stream.cursor_field] >= floor for r in again)
    newer = {r["id"] for r in rows if r[stream.cursor_field] >= saved}
    assert newer <= {r["id"] for r in again}
    assert {r["id"] for r in again} == {r["id"] for r in rows
                                        if r[stream.cursor_field] >= floor}
