"""Erasing one person from the store, retention of interactions, and the erasure audit.

An erasure removes the person's record, traits, trait history, identities and interactions,
and replaces the old and new values of their audit rows (``writes``) with a marker. One
``erasures`` entry says what was done and when; it names the record id and nothing else.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, Connection, Select, and_, delete, func, select, update

from sync.store.schema import (
    ERASURES,
    IDENTITIES,
    INTERACTIONS,
    RECORDS,
    TRAIT_HISTORY,
    TRAITS,
    WRITES,
)
from sync.store.traits import forget_customer_traits

__all__ = ["ERASED_MARKER", "Erasure", "deleted_records_due", "erase_interactions_with_keys",
           "erase_person", "erasures",
           "expire_interactions", "records_with_identity"]

ERASED_MARKER = "[erased]"


@dataclass
class Erasure:
    """What erasing one record removes (or, in a dry run, would remove): row counts only."""

    module: str
    record_id: str
    counts: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        """The record id and the counts: nothing that identifies the person besides the id."""
        return {"module": self.module, "record_id": self.record_id, "counts": dict(self.counts)}


def records_with_identity(connection: Connection, kind: str, digest_value: str
                          ) -> list[tuple[str, str]]:
    """(module, record id) of every record with this identity key digest."""
    return [(row.module, row.record_id) for row in connection.execute(
        select(IDENTITIES.c.module, IDENTITIES.c.record_id).where(
            IDENTITIES.c.kind == kind, IDENTITIES.c.value == digest_value).distinct())]


def _counts(connection: Connection, module: str, record_id: str) -> dict[str, int]:
    def count(query: Select[int]) -> int:
        return int(connection.execute(query).scalar() or 0)
    return {
        "records": count(select(func.count()).select_from(RECORDS).where(
            RECORDS.c.module == module, RECORDS.c.id == record_id)),
        "traits": count(select(func.count()).select_from(TRAITS).where(
            TRAITS.c.customer_id == record_id)),
        "trait_history": count(select(func.count()).select_from(TRAIT_HISTORY).where(
            TRAIT_HISTORY.c.customer_id == record_id)),
        "identities": count(select(func.count()).select_from(IDENTITIES).where(
            IDENTITIES.c.module == module, IDENTITIES.c.record_id == record_id)),
        "interactions": count(select(func.count()).select_from(INTERACTIONS).where(
            INTERACTIONS.c.person_module == module, INTERACTIONS.c.person_id == record_id)),
        "writes": count(select(func.count()).select_from(WRITES).where(
            WRITES.c.module == module, WRITES.c.record_id == record_id)),
    }


def _person_interactions(module: str, record_id: str, keys: Sequence[str]
                         ) -> ColumnElement[bool]:
    linked = and_(INTERACTIONS.c.person_module == module, INTERACTIONS.c.person_id == record_id)
    return linked | INTERACTIONS.c.key_value.in_(keys) if keys else linked


def erase_person(connection: Connection, module: str, record_id: str, *, now: datetime,
                 trigger: str = "forget", dry_run: bool = False,
                 crm_fields_cleared: int = 0) -> Erasure:
    """Erase one record and everything about it from the store (nothing in a dry run).

    Interactions are removed when linked to the record or carrying one of its key digests
    (an ambiguous key shared with others is removed too: it names this person as well).
    """
    erasure = Erasure(module, record_id, _counts(connection, module, record_id))
    keys = [row.value for row in connection.execute(select(IDENTITIES.c.value).where(
        IDENTITIES.c.module == module, IDENTITIES.c.record_id == record_id))]
    where = _person_interactions(module, record_id, keys)
    erasure.counts["interactions"] = int(connection.execute(
        select(func.count()).select_from(INTERACTIONS).where(where)).scalar() or 0)
    if crm_fields_cleared:
        erasure.counts["crm_fields_cleared"] = crm_fields_cleared
    if dry_run:
        return erasure
    connection.execute(delete(INTERACTIONS).where(where))
    connection.execute(delete(IDENTITIES).where(
        IDENTITIES.c.module == module, IDENTITIES.c.record_id == record_id))
    forget_customer_traits(connection, module, record_id)
    connection.execute(delete(RECORDS).where(RECORDS.c.module == module,
                                             RECORDS.c.id == record_id))
    connection.execute(update(WRITES).where(
        WRITES.c.module == module, WRITES.c.record_id == record_id).values(
        old_value=json.dumps(ERASED_MARKER), new_value=json.dumps(ERASED_MARKER)))
    connection.execute(ERASURES.insert().values(
        module=module, record_id=record_id, erased_at=now, trigger=trigger,
        counts=json.dumps(erasure.counts, sort_keys=True)))
    return erasure


def erase_interactions_with_keys(connection: Connection, keys: Sequence[str], *,
                                 dry_run: bool = False) -> int:
    """Remove the interactions (linked to nobody yet) carrying one of these key digests."""
    where = INTERACTIONS.c.key_value.in_(list(keys))
    found = int(connection.execute(
        select(func.count()).select_from(INTERACTIONS).where(where)).scalar() or 0)
    if not dry_run:
        connection.execute(delete(INTERACTIONS).where(where))
    return found


def deleted_records_due(connection: Connection, before: datetime) -> list[tuple[str, str]]:
    """(module, id) of records deleted in the CRM before ``before``: due for erasure."""
    return [(row.module, row.id) for row in connection.execute(
        select(RECORDS.c.module, RECORDS.c.id).where(
            RECORDS.c.deleted.is_(True), RECORDS.c.deleted_at < before))]


def expire_interactions(connection: Connection, before: datetime, *,
                        keep_channels: Sequence[str] = ()) -> int:
    """Remove the interactions that occurred before ``before``, except those of
    ``keep_channels`` (state such as audience membership, not events); how many."""
    result = connection.execute(delete(INTERACTIONS).where(
        INTERACTIONS.c.occurred_at < before, INTERACTIONS.c.channel.not_in(list(keep_channels))))
    return int(result.rowcount or 0)


def erasures(connection: Connection) -> list[dict[str, object]]:
    """The erasure audit, oldest first."""
    return [{"module": row.module, "record_id": row.record_id, "erased_at": row.erased_at,
             "trigger": row.trigger, "counts": json.loads(row.counts)}
            for row in connection.execute(select(ERASURES).order_by(ERASURES.c.seq))]
