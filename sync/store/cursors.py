"""Saved stream cursors and when each stream was last reconciled."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from sync.store.schema import CURSORS

__all__ = ["SavedCursor", "list_cursors", "load_cursor", "reconciled_at", "save_cursor",
           "save_reconciled"]


@dataclass(frozen=True)
class SavedCursor:
    """One stream's saved cursor (encoded), when it was saved and last reconciled."""

    stream: str
    value: str | None
    updated_at: datetime
    reconciled_at: datetime | None


def load_cursor(connection: Connection, stream: str) -> str | None:
    """The encoded cursor of ``stream``, or None before its first page."""
    return connection.execute(
        select(CURSORS.c.value).where(CURSORS.c.stream == stream)).scalar()


def reconciled_at(connection: Connection, stream: str) -> datetime | None:
    """When ``stream`` last finished a deletion reconciliation."""
    return connection.execute(
        select(CURSORS.c.reconciled_at).where(CURSORS.c.stream == stream)).scalar()


def _upsert(connection: Connection, stream: str, now: datetime, **values: Any) -> None:
    result = connection.execute(update(CURSORS).where(CURSORS.c.stream == stream).values(
        updated_at=now, **values))
    if not result.rowcount:
        connection.execute(insert(CURSORS).values(stream=stream, updated_at=now, **values))


def save_cursor(connection: Connection, stream: str, value: str | None, now: datetime) -> None:
    """Save the encoded cursor of ``stream`` (in the caller's transaction)."""
    _upsert(connection, stream, now, value=value)


def save_reconciled(connection: Connection, stream: str, at: datetime) -> None:
    """Record that ``stream`` was reconciled at ``at``."""
    _upsert(connection, stream, at, reconciled_at=at)


def list_cursors(connection: Connection) -> list[SavedCursor]:
    """Every stream's saved cursor, by stream name."""
    return [SavedCursor(row.stream, row.value, row.updated_at, row.reconciled_at)
            for row in connection.execute(select(CURSORS).order_by(CURSORS.c.stream))]
