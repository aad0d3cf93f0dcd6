"""The ``writes`` table: one row per field write-back meant to write, with its state.

Invariants:

- A row is inserted ``pending`` (the intent: run, module, record, field, old and new value)
  and committed before the write is sent; its answer moves it to ``written``, ``refused``
  or ``dropped`` (not sent, or read back holding the old value). A row leaves ``pending``
  once and never goes back.
- Only ``written`` rows are the audit log (what undo restores, what ``undo --list`` shows);
  ``pending`` rows count as possibly ours when a sync recognises our own writes.
- Values are stored as JSON text of their wire form and returned decoded.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, func, select, update

from sync.store.schema import WRITES

__all__ = [
    "IntendedWrite",
    "WriteRow",
    "WriteState",
    "add_intents",
    "last_written",
    "last_written_rows",
    "last_written_to_field",
    "later_writers",
    "pending_rows",
    "rows_of",
    "run_totals",
    "settle_field",
    "settle_record",
    "settle_rows",
    "state_counts",
]

_CHUNK = 500


class WriteState(StrEnum):
    """Where one intended field write stands."""

    PENDING = "pending"
    WRITTEN = "written"
    REFUSED = "refused"
    DROPPED = "dropped"


@dataclass(frozen=True)
class IntendedWrite:
    """A field a run is about to write."""

    module: str
    record_id: str
    field: str
    old: Any
    new: Any


@dataclass(frozen=True)
class WriteRow:
    """One row of ``writes``, values decoded."""

    seq: int
    run_id: str
    module: str
    record_id: str
    field: str
    old: Any
    new: Any
    written_at: datetime
    state: WriteState


def _decoded(text: str) -> Any:
    """A stored value; text that is no JSON (the bare ``[erased]`` marker older erasures
    wrote) is returned as it is."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def _row(values: Any) -> WriteRow:
    return WriteRow(seq=values.seq, run_id=values.run_id, module=values.module,
                    record_id=values.record_id, field=values.field,
                    old=_decoded(values.old_value), new=_decoded(values.new_value),
                    written_at=values.written_at, state=WriteState(values.state))


def add_intents(connection: Connection, run_id: str, intents: Iterable[IntendedWrite], *,
                at: datetime, state: WriteState = WriteState.PENDING) -> int:
    """Insert ``intents`` of ``run_id`` (``pending`` unless told); returns how many."""
    rows = [{"run_id": run_id, "module": i.module, "record_id": i.record_id, "field": i.field,
             "old_value": json.dumps(i.old), "new_value": json.dumps(i.new), "written_at": at,
             "state": state.value} for i in intents]
    if rows:
        connection.execute(WRITES.insert(), rows)
    return len(rows)


def settle_record(connection: Connection, run_id: str, module: str, record_id: str,
                  state: WriteState) -> int:
    """Move the pending rows of one record of ``run_id`` to ``state``; returns how many."""
    return connection.execute(update(WRITES).where(
        WRITES.c.run_id == run_id, WRITES.c.module == module, WRITES.c.record_id == record_id,
        WRITES.c.state == WriteState.PENDING.value).values(state=state.value)).rowcount


def settle_field(connection: Connection, run_id: str, module: str, record_id: str, field: str,
                 state: WriteState) -> int:
    """Move the pending row of one field of one record of ``run_id`` to ``state``."""
    return connection.execute(update(WRITES).where(
        WRITES.c.run_id == run_id, WRITES.c.module == module, WRITES.c.record_id == record_id,
        WRITES.c.field == field,
        WRITES.c.state == WriteState.PENDING.value).values(state=state.value)).rowcount


def settle_rows(connection: Connection, seqs: Collection[int], state: WriteState) -> int:
    """Move the pending rows ``seqs`` to ``state``; returns how many."""
    ids, moved = list(seqs), 0
    for start in range(0, len(ids), _CHUNK):
        moved += connection.execute(update(WRITES).where(
            WRITES.c.seq.in_(ids[start:start + _CHUNK]),
            WRITES.c.state == WriteState.PENDING.value).values(state=state.value)).rowcount
    return moved


def rows_of(connection: Connection, run_id: str, *,
            states: Collection[WriteState] = (WriteState.WRITTEN,)) -> list[WriteRow]:
    """The rows of ``run_id`` in these states, in the order intended."""
    query = select(WRITES).where(
        WRITES.c.run_id == run_id, WRITES.c.state.in_([s.value for s in states])
    ).order_by(WRITES.c.seq)
    return [_row(values) for values in connection.execute(query)]


def pending_rows(connection: Connection, run_id: str | None = None) -> list[WriteRow]:
    """Every pending row (of ``run_id`` where given), in the order intended."""
    query = select(WRITES).where(WRITES.c.state == WriteState.PENDING.value)
    if run_id is not None:
        query = query.where(WRITES.c.run_id == run_id)
    return [_row(values) for values in connection.execute(query.order_by(WRITES.c.seq))]


def run_totals(connection: Connection) -> list[tuple[str, datetime, int, int]]:
    """(run id, first write, fields, records) of the runs that wrote, newest first."""
    query = (
        select(WRITES.c.run_id, func.min(WRITES.c.written_at), func.count(),
               func.count(func.distinct(WRITES.c.record_id)))
        .where(WRITES.c.state == WriteState.WRITTEN.value)
        .group_by(WRITES.c.run_id)
        .order_by(func.min(WRITES.c.written_at).desc(), WRITES.c.run_id.desc())
    )
    return [(run_id, started, fields, records)
            for run_id, started, fields, records in connection.execute(query)]


def state_counts(connection: Connection, run_id: str) -> dict[str, int]:
    """Fields of ``run_id`` per state (``written``, ``pending``...)."""
    query = select(WRITES.c.state, func.count()).where(
        WRITES.c.run_id == run_id).group_by(WRITES.c.state)
    return {str(state): int(count) for state, count in connection.execute(query)}


def later_writers(connection: Connection, since: datetime, run_id: str,
                  wanted: Collection[tuple[str, str, str]]) -> dict[tuple[str, str, str], str]:
    """The newest other run that wrote each (module, id, field) of ``wanted`` since then."""
    query = (
        select(WRITES.c.module, WRITES.c.record_id, WRITES.c.field, WRITES.c.run_id)
        .where(WRITES.c.written_at >= since, WRITES.c.run_id != run_id,
               WRITES.c.state == WriteState.WRITTEN.value)
        .order_by(WRITES.c.seq)
    )
    return {(m, r, f): run for m, r, f, run in connection.execute(query)
            if (m, r, f) in wanted}


def last_written(connection: Connection, module: str,
                 record_ids: Sequence[str] | Collection[str]) -> dict[tuple[str, str], Any]:
    """The latest value we wrote (or may have: pending) to each field of these records."""
    found: dict[tuple[str, str], Any] = {}
    ids = list(record_ids)
    states = (WriteState.WRITTEN.value, WriteState.PENDING.value)
    for start in range(0, len(ids), _CHUNK):
        query = (
            select(WRITES.c.record_id, WRITES.c.field, WRITES.c.new_value)
            .where(WRITES.c.module == module, WRITES.c.record_id.in_(ids[start:start + _CHUNK]),
                   WRITES.c.state.in_(states))
            .order_by(WRITES.c.seq)
        )
        for record_id, field, new_value in connection.execute(query):
            found[(record_id, field)] = _decoded(new_value)
    return found


def last_written_to_field(connection: Connection, module: str, field: str) -> dict[str, Any]:
    """Record id -> the latest value we wrote (or may have: pending) to ``field`` of it."""
    query = (
        select(WRITES.c.record_id, WRITES.c.new_value)
        .where(WRITES.c.module == module, WRITES.c.field == field,
               WRITES.c.state.in_((WriteState.WRITTEN.value, WriteState.PENDING.value)))
        .order_by(WRITES.c.seq)
    )
    return {record_id: _decoded(value) for record_id, value in connection.execute(query)}


def last_written_rows(connection: Connection, module: str, record_id: str) -> dict[str, WriteRow]:
    """Field -> the latest ``written`` row of one record (the audit log's last word on it)."""
    query = select(WRITES).where(
        WRITES.c.module == module, WRITES.c.record_id == record_id,
        WRITES.c.state == WriteState.WRITTEN.value).order_by(WRITES.c.seq)
    return {row.field: row for row in map(_row, connection.execute(query))}
