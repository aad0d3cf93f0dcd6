"""Pages of records into the store: insert new, update changed, recognise re-reads.

A record's content is its canonical JSON (sorted keys, datetimes in ISO form, decimals as
strings); its SHA-256 tells a re-read of the same version from a change.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, and_, bindparam, func, select, update

from sync.store.chunks import chunked
from sync.store.schema import RECORDS

__all__ = ["OwnWriteCheck", "PageCounts", "canonical_json", "content_hash", "live_counts",
           "live_records", "store_records"]


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, set | frozenset | tuple):
        return sorted(value, key=str)
    raise TypeError(f"cannot store a value of type {type(value).__name__}")


def canonical_json(attributes: Mapping[str, Any]) -> str:
    """The attributes as compact JSON with sorted keys: equal content, equal text."""
    return json.dumps(attributes, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=_json_default)


def content_hash(text: str) -> str:
    """The SHA-256 of a canonical JSON text."""
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class PageCounts:
    """What one page did to the store."""

    new: int = 0
    changed: int = 0
    unchanged: int = 0
    own_writes: int = 0  # changed, but only by our own write-back (not counted in changed)

    def add(self, other: PageCounts) -> None:
        """Add another page's counts to these."""
        self.new += other.new
        self.changed += other.changed
        self.unchanged += other.unchanged
        self.own_writes += other.own_writes


def _as_datetime(value: Any) -> datetime | None:
    return value if isinstance(value, datetime) else None


OwnWriteCheck = Callable[
    [Connection, str, Sequence[tuple[str, Mapping[str, Any], Mapping[str, Any]]]], set[str]]
"""(connection, module, [(id, stored attributes, pulled attributes)]) -> ids changed by us."""


def _counted_since(first_seen: datetime, changed_at: datetime | None,
                   run_started: datetime | None) -> bool:
    """Whether the record was already counted new or changed by the run begun at run_started."""
    if run_started is None:
        return False
    return first_seen >= run_started or (changed_at is not None and changed_at >= run_started)


def store_records(connection: Connection, module: str, rows: Sequence[Mapping[str, Any]], *,
                  now: datetime, primary_key: str = "id", cursor_field: str = "date_modified",
                  run_started: datetime | None = None,
                  own_writes: OwnWriteCheck | None = None) -> PageCounts:
    """Upsert ``rows`` (each with ``primary_key``) of ``module``; return what changed.

    With ``run_started``, a record is counted once per run: one that the run already
    counted as new or changed and that changed again while the run read on (SuiteCRM moves
    it to the end of the listing) is stored, and counted as unchanged. ``own_writes`` tells
    which changed records changed only by write-back's own writes; they are stored as usual
    but counted as ``own_writes`` instead of ``changed``.
    """
    prepared: dict[str, dict[str, Any]] = {}
    for row in rows:
        record_id = str(row[primary_key])
        attributes = {k: v for k, v in row.items() if k != primary_key}
        text = canonical_json(attributes)
        prepared[record_id] = {"b_id": record_id, "attributes": text, "content_hash":
                               content_hash(text), "date_modified":
                               _as_datetime(row.get(cursor_field))}
    known: dict[str, Any] = {}
    for chunk in chunked(list(prepared)):
        result = connection.execute(select(
            RECORDS.c.id, RECORDS.c.content_hash, RECORDS.c.deleted, RECORDS.c.first_seen,
            RECORDS.c.changed_at).where(RECORDS.c.module == module, RECORDS.c.id.in_(chunk)))
        known.update({held.id: held for held in result})
    counts = PageCounts()
    new: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    unchanged: list[dict[str, Any]] = []
    already_counted: set[str] = set()
    for record_id, values in prepared.items():
        held = known.get(record_id)
        if held is None:
            new.append({"module": module, "id": record_id, "attributes": values["attributes"],
                        "content_hash": values["content_hash"],
                        "date_modified": values["date_modified"], "deleted": False,
                        "first_seen": now, "last_seen": now, "changed_at": now})
        elif (held.content_hash, held.deleted) != (values["content_hash"], False):
            changed.append({**values, "b_module": module})
            if _counted_since(held.first_seen, held.changed_at, run_started):
                already_counted.add(record_id)
        else:
            unchanged.append({"b_module": module, "b_id": record_id})
    own = _own_writes(connection, module, changed, own_writes) if own_writes and changed else set()
    where = and_(RECORDS.c.module == bindparam("b_module"), RECORDS.c.id == bindparam("b_id"))
    if new:
        connection.execute(RECORDS.insert(), new)
    if changed:
        connection.execute(update(RECORDS).where(where).values(
            attributes=bindparam("attributes"), content_hash=bindparam("content_hash"),
            date_modified=bindparam("date_modified"), deleted=False, deleted_at=None,
            last_seen=now, changed_at=now), changed)
    if unchanged:
        connection.execute(update(RECORDS).where(where).values(last_seen=now), unchanged)
    counts.new = len(new)
    counts.unchanged = len(unchanged) + len(already_counted)
    counts.own_writes = len(own - already_counted)
    counts.changed = len(changed) - len(already_counted) - counts.own_writes
    return counts


def _own_writes(connection: Connection, module: str, changed: list[dict[str, Any]],
                check: OwnWriteCheck) -> set[str]:
    """The ids of changed rows that changed only by our writes (read before they are updated)."""
    previous: dict[str, str] = {}
    for chunk in chunked([row["b_id"] for row in changed]):
        previous.update((row.id, row.attributes) for row in connection.execute(
            select(RECORDS.c.id, RECORDS.c.attributes).where(
                RECORDS.c.module == module, RECORDS.c.id.in_(chunk))))
    return check(connection, module, [
        (row["b_id"], json.loads(previous[row["b_id"]]), json.loads(row["attributes"]))
        for row in changed if row["b_id"] in previous])


def live_counts(connection: Connection, modules: Sequence[str]) -> dict[str, int]:
    """How many not deleted records each of ``modules`` holds (absent when none)."""
    rows = connection.execute(select(RECORDS.c.module, func.count()).where(
        RECORDS.c.module.in_(list(modules)), RECORDS.c.deleted.is_(False)).group_by(
        RECORDS.c.module))
    return {str(module): int(count) for module, count in rows}


def live_records(connection: Connection, module: str) -> list[tuple[str, str]]:
    """(id, attributes as canonical JSON) of the not deleted records of ``module``, by id."""
    return [(str(record_id), str(text)) for record_id, text in connection.execute(
        select(RECORDS.c.id, RECORDS.c.attributes).where(
            RECORDS.c.module == module, RECORDS.c.deleted.is_(False)).order_by(RECORDS.c.id))]
