"""A sync counts records changed only by our own writes apart from customers' changes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sync.settings import FieldType
from sync.store import Store
from sync.store.records import store_records
from sync.writeback.audit import AuditLog
from sync.writeback.own_writes import OwnWrites
from sync.writeback.plan import FieldChange, RecordChange
from tests.unit.writeback.conftest import SpecFactory

NOW = datetime(2026, 5, 3, 14, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(f"sqlite:///{tmp_path / 's.sqlite3'}") as opened:
        yield opened


def _row(record_id: str, stage: str, name: str, modified: int) -> dict[str, object]:
    return {"id": record_id, "last_name": name, "sp_stage_c": stage,
            "date_modified": datetime(2026, 5, 3, 10, modified, tzinfo=UTC)}


def test_records_changed_only_by_our_writes_are_counted_apart(
    store: Store, make_spec: SpecFactory,
) -> None:
    spec = make_spec(FieldType.ENUM, trait="stage", name="sp_stage_c", options={"a": "A",
                                                                               "b": "B"})
    check = OwnWrites([spec]).recognise
    with store.transaction() as connection:
        store_records(connection, "Contacts", [_row("1", "a", "Lee", 0), _row("2", "a", "Kim", 0),
                                               _row("3", "a", "Poe", 0)], now=NOW)
    AuditLog(store.engine).record("run1", [
        RecordChange("Contacts", record_id, (FieldChange("sp_stage_c", "a", "b"),))
        for record_id in ("1", "2")])
    pulled = [_row("1", "b", "Lee", 5),   # only our write
              _row("2", "b", "Kimm", 5),  # our write and a user's edit
              _row("3", "b", "Poe", 5)]   # a user's edit of a field we never wrote there
    with store.transaction() as connection:
        counts = store_records(connection, "Contacts", pulled, now=NOW, own_writes=check)
    assert (counts.own_writes, counts.changed, counts.unchanged) == (1, 2, 0)
    with store.transaction() as connection:
        again = store_records(connection, "Contacts", pulled, now=NOW, own_writes=check)
    assert (again.own_writes, again.changed, again.unchanged) == (0, 0, 3)
