"""Incremental pull against a fake SuiteCRM: nothing missed, nothing counted twice."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from sync.config import ClientConfig
from sync.errors import ConfigError, StateError
from sync.pull import sync_client
from sync.run_summary import Outcome, RunSummary
from sync.store import Store
from sync.streams.cursor import decode_cursor
from tests.fake_crm import FakeCRM
from tests.unit.sync.conftest import MakeConfig, live_ids, stored


@pytest.fixture
def make_config(make_config: MakeConfig) -> MakeConfig:
    """The sync tests' config, keeping the contacts' ``name``: these tests follow records by
    it, and data minimisation keeps no name unless ``sync.fields`` asks for it."""

    def make(**overrides: Any) -> ClientConfig:
        sync = {"fields": {"Contacts": ["name"]}, **overrides.pop("sync", {})}
        return make_config(sync=sync, **overrides)

    return make


def _seed(crm: FakeCRM, count: int, *, step: float = 17.0) -> list[str]:
    ids = []
    for number in range(count):
        ids.append(crm.add("Contacts", name=f"c{number}", email1=f"c{number}@example.com"))
        crm.clock.advance(step)
    return ids


def _pull(config: ClientConfig, store: Store, crm: FakeCRM, **options: Any) -> RunSummary:
    """A sync of ``config``'s client from the fake CRM, over its HTTP face."""
    return sync_client(config, store=store, connections=crm.connections(), **options)


def _names(store: Store) -> dict[str, str]:
    return {i: json.loads(a)["name"] for i, (a, deleted) in stored(store, "Contacts").items()
            if not deleted}


def test_first_sync_stores_every_record_once(make_config: MakeConfig, crm: FakeCRM,
                                             store: Store) -> None:
    ids = _seed(crm, 45)
    summary = _pull(make_config(), store, crm)
    contacts = summary.streams["Contacts"]
    assert summary.outcome is Outcome.OK
    assert (contacts.new, contacts.changed, contacts.rejected) == (45, 0, 0)
    assert set(_names(store)) == set(ids)


def test_second_run_without_changes_counts_nothing_new(make_config: MakeConfig, crm: FakeCRM,
                                                       store: Store) -> None:
    _seed(crm, 30)
    _pull(make_config(), store, crm)
    again = _pull(make_config(), store, crm).streams["Contacts"]
    assert (again.new, again.changed) == (0, 0)
    assert again.unchanged > 0  # the look-back window is read again, and recognised


def test_changes_in_the_cursor_minute_are_picked_up(make_config: MakeConfig, crm: FakeCRM,
                                                    store: Store) -> None:
    ids = _seed(crm, 25)
    _pull(make_config(), store, crm)
    crm.clock.advance(5)  # same minute as the last record seen, later second
    crm.modify("Contacts", ids[3], name="renamed")
    new_id = crm.add("Contacts", name="newcomer")
    result = _pull(make_config(), store, crm).streams["Contacts"]
    assert (result.new, result.changed) == (1, 1)
    names = _names(store)
    assert names[ids[3]] == "renamed"
    assert names[new_id] == "newcomer"


def test_records_changed_while_paging_are_neither_missed_nor_counted_twice(
        make_config: MakeConfig, crm: FakeCRM, store: Store) -> None:
    ids = _seed(crm, 60)
    changed: list[str] = []

    def edit_between_pages(fake: FakeCRM) -> None:
        if fake.requests in (2, 4):  # an early and a not-yet-read record move to the end
            for record_id in (ids[fake.requests], ids[40 + fake.requests]):
                fake.clock.advance(1)
                fake.modify("Contacts", record_id, name=f"edited{fake.requests}")
                changed.append(record_id)

    crm.before_request = edit_between_pages
    result = _pull(make_config(), store, crm).streams["Contacts"]
    assert (result.new, result.changed) == (60, 0)  # each record counted once, as new
    names = _names(store)
    assert set(names) == set(ids)
    assert all(names[i].startswith("edited") for i in changed)


def test_a_future_date_modified_does_not_hide_later_changes(
        make_config: MakeConfig, crm: FakeCRM, store: Store) -> None:
    ids = _seed(crm, 20)
    now = datetime.now(UTC)
    crm.modules["Contacts"][ids[0]].update(name="imported", date_modified=now + timedelta(days=30))
    first = _pull(make_config(), store, crm).streams["Contacts"]
    assert first.cursor is not None and decode_cursor(first.cursor) <= datetime.now(UTC)
    crm.modules["Contacts"][ids[5]].update(name="edited later", date_modified=datetime.now(UTC))
    second = _pull(make_config(), store, crm).streams["Contacts"]
    assert (second.new, second.changed) == (0, 1)
    assert _names(store)[ids[5]] == "edited later"


def test_a_minute_denser_than_a_page_is_swept_by_id(make_config: MakeConfig, crm: FakeCRM,
                                                    store: Store) -> None:
    ids = [crm.add("Contacts", name=f"same{n}") for n in range(35)]  # one second, one minute
    crm.clock.advance(90)
    later = _seed(crm, 5)
    result = _pull(make_config(), store, crm).streams["Contacts"]
    assert result.new == 40
    assert set(_names(store)) == set(ids + later)


def test_deletes_are_found_by_reconciliation(make_config: MakeConfig, crm: FakeCRM,
                                             store: Store) -> None:
    ids = _seed(crm, 30)
    _pull(make_config(), store, crm)
    crm.delete("Contacts", ids[0])
    crm.delete("Contacts", ids[17])
    quiet = _pull(make_config(), store, crm).streams["Contacts"]
    assert (quiet.reconciled, quiet.deleted) == (False, 0)  # not due yet (every 24 hours)
    full = _pull(make_config(), store, crm, full=True).streams["Contacts"]
    assert (full.reconciled, full.deleted) == (True, 2)
    assert set(_names(store)) == live_ids(crm, "Contacts")
    assert stored(store, "Contacts")[ids[17]][1] is True


def test_an_interrupted_run_then_a_rerun_equals_an_uninterrupted_run(
        make_config: MakeConfig, tmp_path: object) -> None:
    def world() -> FakeCRM:
        fake = FakeCRM(seed=7)
        _seed(fake, 57, step=3)
        return fake

    reference = Store(f"sqlite:///{tmp_path}/reference.sqlite3")
    sync_client(make_config(), store=reference, connections=world().connections())
    crashed = Store(f"sqlite:///{tmp_path}/crashed.sqlite3")
    for crash_at in (2, 4, 5):
        fake = world()

        def crash(f: FakeCRM, at: int = crash_at) -> None:
            if f.requests == at:
                raise KeyboardInterrupt

        fake.before_request = crash
        with pytest.raises(KeyboardInterrupt):
            sync_client(make_config(), store=crashed, connections=fake.connections())
    sync_client(make_config(), store=crashed, connections=world().connections())
    assert stored(crashed, "Contacts") == stored(reference, "Contacts")
    assert len(stored(crashed, "Contacts")) == 57


def test_stop_finishes_the_page_and_the_next_run_completes(
        make_config: MakeConfig, crm: FakeCRM, store: Store) -> None:
    _seed(crm, 50)
    stop = threading.Event()
    first = _pull(make_config(), store, crm, stop=stop,
                        progress=lambda _s, _p, _n: stop.set())
    assert first.outcome is Outcome.INTERRUPTED
    assert first.streams["Contacts"].pages == 1
    assert len(stored(store, "Contacts")) == 10
    second = _pull(make_config(), store, crm)
    assert second.outcome is Outcome.OK
    assert len(stored(store, "Contacts")) == 50


def test_records_without_date_modified_are_rejected(make_config: MakeConfig, crm: FakeCRM,
                                                    store: Store) -> None:
    _seed(crm, 5)
    crm.add("Contacts", name="broken", date_modified=None)
    summary = _pull(make_config(), store, crm)
    assert summary.outcome is Outcome.REJECTED
    assert summary.rejected == 1
    assert len(stored(store, "Contacts")) == 5


def test_a_second_run_of_the_same_client_is_refused(make_config: MakeConfig, crm: FakeCRM,
                                                    store: Store) -> None:
    with Store(store.url) as other, other.lock("run:acme"), \
            pytest.raises(StateError, match="in progress"):
        _pull(make_config(), store, crm)


def test_stream_selection(make_config: MakeConfig, crm: FakeCRM, store: Store) -> None:
    _seed(crm, 3)
    crm.add("Opportunities", name="deal", amount=10)
    summary = _pull(make_config(), store, crm, streams=["Opportunities"])
    assert list(summary.streams) == ["Opportunities"]
    with pytest.raises(ConfigError, match="unknown stream 'Leads'"):
        _pull(make_config(), store, crm, streams=["Leads"])


def test_run_history_keeps_counts_and_outcome(make_config: MakeConfig, crm: FakeCRM,
                                              store: Store) -> None:
    from sync.store.runs import recent_runs

    _seed(crm, 12)
    summary = _pull(make_config(), store, crm)
    with store.transaction() as connection:
        (run,) = recent_runs(connection)
    assert run.id == summary.run_id
    assert run.outcome == "ok"
    assert run.counts["Contacts"]["new"] == 12
    assert run.finished_at is not None and run.finished_at >= run.started_at
