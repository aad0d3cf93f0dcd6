"""Privacy: no e-mail in clear in the store, forget by e-mail and by record, retention."""

from __future__ import annotations

import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select, text

from sync.config import store_url
from sync.privacy import apply_retention, forget_person
from sync.privacy_key import client_key, key_path
from sync.pull import sync_client
from sync.store import Store
from sync.store.erasure import ERASED_MARKER, erasures
from sync.store.interactions import store_interactions
from sync.store.schema import INTERACTIONS, WRITES
from sync.store.types import utc_now
from sync.writeback.audit import AuditLog
from tests.fake_crm import FakeCRM
from tests.unit.sync.conftest import MakeConfig

_TABLES = ("records", "traits", "trait_history", "identities", "interactions")


def _store_file(make_config: MakeConfig) -> Path:
    return Path(store_url(make_config()).removeprefix("sqlite:///"))


def _rows_naming(store: Store, record_id: str) -> dict[str, int]:
    found = {}
    with store.transaction() as connection:
        for table in _TABLES:
            rows = connection.execute(text(f"SELECT * FROM {table}")).all()
            found[table] = sum(1 for row in rows if record_id in repr(tuple(row)))
    return found


def _world(make_config: MakeConfig, crm: FakeCRM, store: Store) -> tuple[str, str]:
    ann = crm.add("Contacts", name="Ann", first_name="Annabel", last_name="Leeward",
                  email1="Ann.Lee@example.com", birthdate="1980-05-01")
    bob = crm.add("Contacts", name="Bob", first_name="Robert", last_name="Bobbington",
                  email1="bob@example.com", phone_mobile="+49 170 5550101")
    config = make_config()
    now = utc_now()
    with store.transaction() as connection:
        store_interactions(connection, "imap:inbox", "email", [
            {"id": "m1", "occurred_at": now, "kind": "received", "email": "ann.lee@example.com"},
            {"id": "m2", "occurred_at": now, "kind": "received", "email": "bob@example.com"},
        ], now=now, key=client_key(config))
        connection.execute(WRITES.insert().values(
            run_id="r1", module="Contacts", record_id=ann, field="segment_c", old_value="a",
            new_value="Ann's", written_at=now))
    sync_client(config, store=store, connections=crm.connections())
    return ann, bob


def test_the_store_file_holds_no_email_address_nor_name_and_the_key_file_is_private(
        make_config: MakeConfig, crm: FakeCRM, store: Store) -> None:
    _world(make_config, crm, store)
    store.close()
    data = _store_file(make_config).read_bytes().lower()
    assert b"ann.lee@example.com" not in data
    assert b"bob@example.com" not in data
    assert b"@example.com" not in data
    for personal in (b"annabel", b"leeward", b"robert", b"bobbington", b"1980-05-01",
                     b"5550101"):
        assert personal not in data, personal
    assert stat.S_IMODE(key_path(make_config()).stat().st_mode) == 0o600


def test_forget_by_email_dry_run_changes_nothing_then_erases(
        make_config: MakeConfig, crm: FakeCRM, store: Store) -> None:
    ann, bob = _world(make_config, crm, store)
    config = make_config()
    before = _rows_naming(store, ann)
    dry = forget_person(config, store, email=" ANN.lee@Example.com", dry_run=True)
    assert [e.record_id for e in dry.erased] == [ann]
    assert dry.erased[0].counts["interactions"] == 1
    assert _rows_naming(store, ann) == before
    forget_person(config, store, email="ann.lee@example.com")
    assert _rows_naming(store, ann) == dict.fromkeys(_TABLES, 0)
    assert _rows_naming(store, bob)["records"] == 1
    assert [(e.old, e.new) for e in AuditLog(store.engine).writes_of("r1")] == [
        (ERASED_MARKER, ERASED_MARKER)]  # undo --list and undo still read the run
    with store.transaction() as connection:
        entries = erasures(connection)
        left = connection.execute(select(INTERACTIONS.c.id)).scalars().all()
    assert [(e["module"], e["record_id"], e["trigger"]) for e in entries] == [
        ("Contacts", ann, "forget")]
    assert "Ann" not in repr(entries)
    assert left == ["m2"]


def test_forget_by_record(make_config: MakeConfig, crm: FakeCRM, store: Store) -> None:
    ann, _ = _world(make_config, crm, store)
    result = forget_person(make_config(), store, record=("Contacts", ann))
    assert result.erased[0].counts["records"] == 1
    assert _rows_naming(store, ann) == dict.fromkeys(_TABLES, 0)


def test_retention_removes_exactly_the_old_interactions(
        make_config: MakeConfig, store: Store) -> None:
    config = make_config(privacy={"interactions_days": 10})
    now = datetime(2026, 6, 1, tzinfo=UTC)
    with store.transaction() as connection:
        store_interactions(connection, "imap:inbox", "email", [
            {"id": "old", "occurred_at": now - timedelta(days=10, seconds=1), "kind": "sent"},
            {"id": "edge", "occurred_at": now - timedelta(days=10), "kind": "sent"},
            {"id": "new", "occurred_at": now, "kind": "sent"},
        ], now=now, key=client_key(config))
    result = apply_retention(config, store, now=now)
    assert result.as_dict() == {"interactions_days": 10, "interactions_removed": 1,
                                "deleted_records_erased": 0}
    with store.transaction() as connection:
        left = sorted(connection.execute(select(INTERACTIONS.c.id)).scalars())
    assert left == ["edge", "new"]


def test_a_record_deleted_in_the_crm_is_erased_after_keep_deleted_days(
        make_config: MakeConfig, crm: FakeCRM, store: Store) -> None:
    gone = crm.add("Contacts", name="Gone", email1="gone@example.com")
    config = make_config()
    sync_client(config, store=store, connections=crm.connections())
    crm.delete("Contacts", gone)
    sync_client(config, store=store, connections=crm.connections(), full=True)
    assert _rows_naming(store, gone)["records"] == 1
    result = apply_retention(config, store, now=utc_now() + timedelta(days=31))
    assert result.deleted_records_erased == 1
    assert _rows_naming(store, gone) == dict.fromkeys(_TABLES, 0)
