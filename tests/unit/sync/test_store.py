"""The state store: private file, schema upgrades in place, the run lock, PostgreSQL."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import inspect, select

from sync.errors import StateError
from sync.store import LATEST_VERSION, Store
from sync.store.engine import create_store_engine
from sync.store.migrations import MIGRATIONS, current_version, upgrade
from sync.store.records import store_records
from sync.store.schema import INTERACTIONS, METADATA, RECORDS
from sync.store.traits import save_trait_values, trait_values_at
from sync.store.types import utc_now


def test_sqlite_store_is_a_private_file_in_a_new_folder(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "folder" / "acme.sqlite3"
    with Store(f"sqlite:///{path}") as store:
        assert store.schema_version == LATEST_VERSION
        assert (store.size_bytes() or 0) > 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_upgrade_from_version_1_keeps_the_data(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    engine = create_store_engine(url)
    with engine.begin() as connection:
        assert upgrade(connection, target=1) == 1
        connection.exec_driver_sql(
            "INSERT INTO records (module, id, attributes, content_hash, deleted, first_seen,"
            " last_seen) VALUES ('Contacts', 'c1', '{}', 'h', 0, '2026-01-01 00:00:00',"
            " '2026-01-01 00:00:00')")
        connection.exec_driver_sql(
            "INSERT INTO interactions (stream, id, occurred_at, channel, kind, content_hash,"
            " match) VALUES ('matomo_visits_1', 'order:A1', '2026-01-01 00:00:00', 'web',"
            " 'order', 'h', 'pending')")
    engine.dispose()
    with Store(url) as store, store.transaction() as connection:
        assert current_version(connection) == len(MIGRATIONS)
        row = connection.execute(select(RECORDS.c.id, RECORDS.c.listed_at,
                                        RECORDS.c.changed_at)).one()
        assert (row.id, row.listed_at, row.changed_at) == ("c1", None, None)
        order = connection.execute(select(INTERACTIONS.c.id, INTERACTIONS.c.amount)).one()
        assert (order.id, order.amount) == ("order:A1", None)  # v4 added amount, empty
        columns = {t: {c["name"] for c in inspect(connection).get_columns(t)}
                   for t in METADATA.tables}
    assert columns == {name: {c.name for c in table.columns}
                       for name, table in METADATA.tables.items()}


def test_a_record_is_counted_once_per_run_however_often_it_changes(store: Store) -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)

    def put(name: str, run: int, minute: int) -> tuple[int, int, int]:
        with store.transaction() as connection:
            counts = store_records(connection, "Contacts", [{"id": "c1", "name": name}],
                                   now=start + timedelta(hours=run, minutes=minute),
                                   run_started=start + timedelta(hours=run))
        return counts.new, counts.changed, counts.unchanged

    assert put("a", run=0, minute=1) == (1, 0, 0)
    assert put("b", run=0, minute=2) == (0, 0, 1)  # new in this run, changed as it read on
    assert put("b", run=1, minute=1) == (0, 0, 1)
    assert put("c", run=1, minute=2) == (0, 1, 0)
    assert put("d", run=1, minute=3) == (0, 0, 1)  # changed again in the same run
    assert put("e", run=2, minute=1) == (0, 1, 0)
    with store.transaction() as connection:
        assert connection.execute(select(RECORDS.c.attributes)).scalar() == '{"name":"e"}'


def test_a_store_newer_than_the_code_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.sqlite3'}"
    with Store(url) as store, store.transaction() as connection:
        connection.exec_driver_sql(
            f"INSERT INTO schema_version VALUES ({LATEST_VERSION + 1}, '2030-01-01 00:00:00')")
    with pytest.raises(StateError, match="newer than this SuitePulse"):
        Store(url)


def test_lock_of_a_dead_process_is_taken_over(store: Store) -> None:
    from sync.store.schema import LOCKS

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    now = utc_now()
    with store.transaction() as connection:
        connection.execute(LOCKS.insert().values(
            name="run:acme", owner="x", host=os.uname().nodename, pid=int(dead.stdout),
            acquired_at=now, heartbeat_at=now, expires_at=now.replace(year=now.year + 1)))
    with store.lock("run:acme") as lock, store.transaction() as connection:
        assert connection.execute(select(LOCKS.c.owner)).scalar() == lock.owner
    with store.transaction() as connection:
        assert connection.execute(select(LOCKS)).first() is None


def test_lock_held_by_a_live_process_is_refused(store: Store) -> None:
    with store.lock("run:acme"), Store(store.url) as second:
        other = second.lock("run:acme")
        with pytest.raises(StateError, match="another run of 'run:acme'"):
            other.acquire()
    with store.lock("run:acme"):  # released: free again
        pass


def test_a_trait_value_is_read_as_it_was_at_a_moment(store: Store) -> None:
    day = [datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=d) for d in range(6)]
    with store.transaction() as connection:
        save_trait_values(connection, {("a", "clv"): "10", ("b", "clv"): "20",
                                       ("b", "purchase_count"): "1"}, computed_at=day[0])
        save_trait_values(connection, {("a", "clv"): "11", ("c", "clv"): "30"},
                          computed_at=day[2])
        save_trait_values(connection, {("a", "clv"): "12", ("b", "clv"): "21"},
                          computed_at=day[4])
        # a: clv changed on day 2 and 4, nothing else kept from day 0, but a change by day 3
        # shows it was computed then; b: its purchase count, saved on day 0, is still there
        assert trait_values_at(connection, "clv", day[0] - timedelta(days=1)) == {}
        # b changed only later: its value then is the one saved on day 0; nothing shows that
        # a had been computed by day 1 (every value of it changed since): left out, not guessed
        assert trait_values_at(connection, "clv", day[1]) == {"b": "20"}
        assert trait_values_at(connection, "clv", day[3]) == {"a": "11", "b": "20", "c": "30"}
        assert trait_values_at(connection, "clv", day[5]) == {"a": "12", "b": "21", "c": "30"}
