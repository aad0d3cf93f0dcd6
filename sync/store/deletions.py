"""Deletions found by reconciliation: ids the store holds that an id-only listing lacks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, Connection, func, or_, select, update

from sync.store.chunks import chunked
from sync.store.schema import RECORDS

__all__ = ["count_unlisted", "mark_listed", "mark_unlisted_deleted"]


def mark_listed(connection: Connection, module: str, ids: Sequence[str], at: datetime) -> None:
    """Note that a listing started at ``at`` still showed ``ids``."""
    for chunk in chunked(ids):
        connection.execute(update(RECORDS).where(
            RECORDS.c.module == module, RECORDS.c.id.in_(chunk)).values(listed_at=at))


def _unlisted(module: str, listing_started: datetime) -> list[ColumnElement[bool]]:
    """Live records first seen before the listing began that it did not show."""
    return [RECORDS.c.module == module, RECORDS.c.deleted.is_(False),
            RECORDS.c.first_seen < listing_started,
            or_(RECORDS.c.listed_at.is_(None), RECORDS.c.listed_at < listing_started)]


def count_unlisted(connection: Connection, module: str,
                   listing_started: datetime) -> tuple[int, int]:
    """(records the listing would flag as deleted, live records of the module)."""
    live = connection.execute(select(func.count()).select_from(RECORDS).where(
        RECORDS.c.module == module, RECORDS.c.deleted.is_(False))).scalar_one()
    unlisted = connection.execute(select(func.count()).select_from(RECORDS).where(
        *_unlisted(module, listing_started))).scalar_one()
    return int(unlisted), int(live)


def mark_unlisted_deleted(connection: Connection, module: str, listing_started: datetime,
                          now: datetime) -> int:
    """Flag as deleted what the listing started at ``listing_started`` did not show.

    Records first seen after the listing began are left alone: the listing may have passed
    their place before they were created.
    """
    result = connection.execute(update(RECORDS).where(
        *_unlisted(module, listing_started)).values(deleted=True, deleted_at=now))
    return int(result.rowcount or 0)
