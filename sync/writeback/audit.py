"""The audit log of write-back: every field written, with run id, old and new value and time.

It is what ``undo`` restores from, and what tells a later sync that a record changed only
because we wrote to it. Values are kept in their wire form (JSON), so an old value can be
sent back exactly as it was read. It is written ahead: each field's intent is committed
before its PATCH is sent and settled by the answer (``sync.store.writes`` states the rules;
all its SQL lives there).
"""

from __future__ import annotations

import secrets
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine

from sync.store import writes
from sync.store.writes import IntendedWrite, WriteRow, WriteState
from sync.writeback.plan import RecordChange
from sync.writeback.values import WireValue

__all__ = ["AuditEntry", "AuditLog", "RunWrites", "WriteState", "last_written", "new_run_id"]


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

    def intend(self, run_id: str, changes: Iterable[RecordChange], *,
               at: datetime | None = None) -> int:
        """Commit the fields of ``changes`` as ``pending`` intents of ``run_id``."""
        return self._add(run_id, changes, at, WriteState.PENDING)

    def record(self, run_id: str, changes: Iterable[RecordChange], *,
               at: datetime | None = None) -> int:
        """Store the fields of ``changes`` as written by ``run_id``; returns how many."""
        return self._add(run_id, changes, at, WriteState.WRITTEN)

    def _add(self, run_id: str, changes: Iterable[RecordChange], at: datetime | None,
             state: WriteState) -> int:
        intents = [IntendedWrite(change.module, change.record_id, field.field, field.old,
                                 field.new)
                   for change in changes for field in change.changes]
        if not intents:
            return 0
        with self.engine.begin() as connection:
            return writes.add_intents(connection, run_id, intents,
                                      at=at or datetime.now(UTC), state=state)

    def settle_record(self, run_id: str, module: str, record_id: str,
                      state: WriteState) -> int:
        """Settle the pending fields of one record of ``run_id`` (committed at once)."""
        with self.engine.begin() as connection:
            return writes.settle_record(connection, run_id, module, record_id, state)

    def settle_field(self, run_id: str, module: str, record_id: str, field: str,
                     state: WriteState) -> int:
        """Settle the pending row of one field of one record of ``run_id``."""
        with self.engine.begin() as connection:
            return writes.settle_field(connection, run_id, module, record_id, field, state)

    def last_written_to(self, module: str, field: str) -> dict[str, WireValue]:
        """Record id -> the latest value we wrote (or may have) to ``field`` of it."""
        with self.engine.connect() as connection:
            return writes.last_written_to_field(connection, module, field)

    def settle_rows(self, seqs: Collection[int], state: WriteState) -> int:
        """Settle these pending rows (committed at once)."""
        with self.engine.begin() as connection:
            return writes.settle_rows(connection, seqs, state)

    def pending(self, run_id: str | None = None) -> list[WriteRow]:
        """The intents not settled yet (of ``run_id`` where given)."""
        with self.engine.connect() as connection:
            return writes.pending_rows(connection, run_id)

    def state_counts(self, run_id: str) -> dict[str, int]:
        """Fields of ``run_id`` per state."""
        with self.engine.connect() as connection:
            return writes.state_counts(connection, run_id)

    def writes_of(self, run_id: str) -> list[AuditEntry]:
        """Every field ``run_id`` wrote, in the order written."""
        with self.engine.connect() as connection:
            return [_entry(row) for row in writes.rows_of(connection, run_id)]

    def runs(self) -> list[RunWrites]:
        """The runs that wrote anything, newest first."""
        with self.engine.connect() as connection:
            return [RunWrites(*totals) for totals in writes.run_totals(connection)]

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
        wanted = {(e.module, e.record_id, e.field) for e in entries}
        with self.engine.connect() as connection:
            return writes.later_writers(connection, first.written_at, first.run_id, wanted)


def _entry(row: WriteRow) -> AuditEntry:
    return AuditEntry(run_id=row.run_id, module=row.module, record_id=row.record_id,
                      field=row.field, old=row.old, new=row.new, written_at=row.written_at)


def last_written(
    connection: Connection, module: str, record_ids: Collection[str]
) -> dict[tuple[str, str], WireValue]:
    """``AuditLog.last_written`` on an open connection (inside a sync's transaction).

    Pending intents count: a write whose answer was never read may be in the CRM.
    """
    return writes.last_written(connection, module, record_ids)
