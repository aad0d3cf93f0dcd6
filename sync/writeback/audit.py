"""The audit log of write-back: every field written, with run id, old and new value and time.

It is what ``undo`` restores from, and what tells a later sync that a record changed only
because we wrote to it. Values are kept in their wire form (JSON), so an old value can be
sent back exactly as it was read.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, func, select

from sync.store.schema import WRITES
from sync.writeback.plan import RecordChange
from sync.writeback.values import WireValue

__all__ = ["AuditEntry", "AuditLog", "RunWrites", "last_written", "new_run_id"]


def new_run_id(now: datetime | None = None) -> str:
    """A new run id, sortable by time: ``20260503T140736-3fa2c1``."""
    return f"{(now or datetime.now(UTC)):%Y%m%dT%H%M%S}-{secrets.token_hex(3)}"


@dataclass(frozen=True)
class AuditEntry:
    """One field written by one run."""

    run_id: str
    module: str
    record_id: str
    field: str
    old: WireValue
    new: WireValue
    written_at: datetime


@dataclass(frozen=True)
class RunWrites:
    """A run that wrote something: when, and how many fields of how many records."""

    run_id: str
    started: datetime
    fields: int
    records: int


class AuditLog:
    """The ``writes`` table of a client's state store (``Store.engine``)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def record(
        self, run_id: str, changes: Iterable[RecordChange], *, at: datetime | None = None
    ) -> int:
        """Store the fields of ``changes`` as written by ``run_id``; returns how many."""
        when = at or datetime.now(UTC)
        rows = [
            {"run_id": run_id, "module": change.module, "record_id": change.record_id,
             "field": field.field, "old_value": json.dumps(field.old),
             "new_value": json.dumps(field.new), "written_at": when}
            for change in changes for field in change.changes
        ]
        if rows:
            with self.engine.begin() as connection:
                connection.execute(WRITES.insert(), rows)
        return len(rows)

    def writes_of(self, run_id: str) -> list[AuditEntry]:
        """Every field ``run_id`` wrote, in the order written."""
        query = select(WRITES).where(WRITES.c.run_id == run_id).order_by(WRITES.c.seq)
        with self.engine.connect() as connection:
            return [_entry(row) for row in connection.execute(query).mappings()]

    def runs(self) -> list[RunWrites]:
        """The runs that wrote anything, newest first."""
        query = (
            select(WRITES.c.run_id, func.min(WRITES.c.written_at), func.count(),
                   func.count(func.distinct(WRITES.c.record_id)))
            .group_by(WRITES.c.run_id)
            .order_by(func.min(WRITES.c.written_at).desc(), WRITES.c.run_id.desc())
        )
        with self.engine.connect() as connection:
            return [RunWrites(run_id, started, fields, records)
                    for run_id, started, fields, records in connection.execute(query)]

    def last_written(
        self, module: str, record_ids: Collection[str]
    ) -> dict[tuple[str, str], WireValue]:
        """The latest value we wrote to each field of these records: (record id, field) -> value."""
        with self.engine.connect() as connection:
            return last_written(connection, module, record_ids)

    def later_writes(self, entries: Sequence[AuditEntry]) -> dict[tuple[str, str, str], str]:
        """The newest later run that wrote each entry's field: (module, id, field) -> run id."""
        if not entries:
            return {}
        first = entries[0]
        query = (
            select(WRITES.c.module, WRITES.c.record_id, WRITES.c.field, WRITES.c.run_id)
            .where(WRITES.c.written_at >= first.written_at, WRITES.c.run_id != first.run_id)
            .order_by(WRITES.c.seq)
        )
        wanted = {(e.module, e.record_id, e.field) for e in entries}
        with self.engine.connect() as connection:
            return {(m, r, f): run for m, r, f, run in connection.execute(query)
                    if (m, r, f) in wanted}


def _entry(row: object) -> AuditEntry:
    values = dict(row)  # type: ignore[call-overload]
    return AuditEntry(
        run_id=values["run_id"], module=values["module"], record_id=values["record_id"],
        field=values["field"], old=json.loads(values["old_value"]),
        new=json.loads(values["new_value"]), written_at=values["written_at"],
    )


def last_written(
    connection: Connection, module: str, record_ids: Collection[str]
) -> dict[tuple[str, str], WireValue]:
    """``AuditLog.last_written`` on an open connection (inside a sync's transaction)."""
    found: dict[tuple[str, str], WireValue] = {}
    ids = list(record_ids)
    for start in range(0, len(ids), 500):
        query = (
            select(WRITES.c.record_id, WRITES.c.field, WRITES.c.new_value)
            .where(WRITES.c.module == module, WRITES.c.record_id.in_(ids[start:start + 500]))
            .order_by(WRITES.c.seq)
        )
        for record_id, field, new_value in connection.execute(query):
            found[(record_id, field)] = json.loads(new_value)
    return found
