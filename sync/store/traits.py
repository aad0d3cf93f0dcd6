"""Computed traits in the store: the current value of each (customer, trait), and its history.

Values are JSON text. Saving writes only what changed; each change of a value already held
is also kept in ``trait_history`` (old and new value, when).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime

from sqlalchemy import Connection, Select, and_, bindparam, delete, func, select, union

from sync.store.chunks import chunked
from sync.store.schema import RECORDS, TRAIT_HISTORY, TRAITS

__all__ = ["TraitKey", "forget_customer_traits", "live_trait_values", "save_trait_values",
           "trait_changes", "trait_values", "trait_values_at", "values_set_at"]

TraitKey = tuple[str, str]
"""(customer id, trait name)."""

_ABSENT = object()


def trait_values(connection: Connection) -> dict[TraitKey, str | None]:
    """Every stored trait value (JSON text) by (customer id, trait)."""
    return {(customer, trait): value for customer, trait, value in connection.execute(
        select(TRAITS.c.customer_id, TRAITS.c.trait, TRAITS.c.value)).all()}


def save_trait_values(connection: Connection, values: Mapping[TraitKey, str], *,
                      computed_at: datetime, chunk: int = 1000) -> int:
    """Store the ``values`` (JSON text) that differ from the stored ones; returns how many."""
    old = trait_values(connection)
    changed = [key for key, value in values.items() if old.get(key, _ABSENT) != value]
    for keys in chunked(changed, chunk):
        replaced = [{"c": c, "t": t} for c, t in keys if (c, t) in old]
        if replaced:
            connection.execute(delete(TRAITS).where(and_(
                TRAITS.c.customer_id == bindparam("c"), TRAITS.c.trait == bindparam("t"))),
                replaced)
        connection.execute(TRAITS.insert(), [
            {"customer_id": c, "trait": t, "value": values[(c, t)], "computed_at": computed_at}
            for c, t in keys])
        history = [{"customer_id": c, "trait": t, "old_value": old[(c, t)],
                    "new_value": values[(c, t)], "changed_at": computed_at}
                   for c, t in keys if (c, t) in old]
        if history:
            connection.execute(TRAIT_HISTORY.insert(), history)
    return len(changed)


def _live(module: str) -> Select[tuple[str]]:
    """The ids of ``module``'s records that are not deleted."""
    return select(RECORDS.c.id).where(RECORDS.c.module == module, RECORDS.c.deleted.is_(False))


def live_trait_values(connection: Connection, module: str,
                      traits: Collection[str]) -> list[tuple[str, str, str | None]]:
    """(customer id, trait, JSON value) of these ``traits`` of the live records of ``module``."""
    return [(str(customer), str(trait), value) for customer, trait, value in connection.execute(
        select(TRAITS.c.customer_id, TRAITS.c.trait, TRAITS.c.value).where(
            TRAITS.c.trait.in_(list(traits)), TRAITS.c.customer_id.in_(_live(module))))]


def trait_changes(connection: Connection, module: str, trait: str,
                  since: datetime) -> list[tuple[str | None, str | None, int]]:
    """(old JSON value, new JSON value, customers) of ``trait``'s changes since ``since``,
    counted over the live records of ``module``."""
    query = (select(TRAIT_HISTORY.c.old_value, TRAIT_HISTORY.c.new_value,
                    func.count(func.distinct(TRAIT_HISTORY.c.customer_id)))
             .where(TRAIT_HISTORY.c.trait == trait, TRAIT_HISTORY.c.changed_at >= since,
                    TRAIT_HISTORY.c.customer_id.in_(_live(module)))
             .group_by(TRAIT_HISTORY.c.old_value, TRAIT_HISTORY.c.new_value))
    return [(old, new, int(count)) for old, new, count in connection.execute(query)]


def trait_values_at(connection: Connection, trait: str,
                    moment: datetime) -> dict[str, str | None]:
    """Customer id -> the JSON value ``trait`` held at ``moment``, for the customers whose
    traits had been computed by then.

    The value at a moment is the newest one saved at or before it: the latest history row
    by then, else the stored value if it has not changed since, else (it changed later) the
    old value of the first later change, provided the customer is known to have been
    computed by ``moment`` (another of its values saved by then is still stored, or one of its
    values changed by then); a customer all of whose values changed since is left out.
    """
    history = TRAIT_HISTORY.c
    by_then = history.trait == trait
    latest = (select(func.max(history.seq)).where(by_then, history.changed_at <= moment)
              .group_by(history.customer_id))
    first_later = (select(func.min(history.seq)).where(by_then, history.changed_at > moment)
                   .group_by(history.customer_id))
    computed_by_then = union(  # a value saved by then and kept, or any change by then
        select(TRAITS.c.customer_id).where(TRAITS.c.computed_at <= moment),
        select(history.customer_id).where(history.changed_at <= moment))
    values: dict[str, str | None] = {}
    for customer, old in connection.execute(
            select(history.customer_id, history.old_value).where(
                history.seq.in_(first_later), history.customer_id.in_(computed_by_then))):
        values[str(customer)] = old
    for customer, value in connection.execute(
            select(TRAITS.c.customer_id, TRAITS.c.value).where(
                TRAITS.c.trait == trait, TRAITS.c.computed_at <= moment)):
        values[str(customer)] = value
    for customer, new in connection.execute(
            select(history.customer_id, history.new_value).where(history.seq.in_(latest))):
        values[str(customer)] = new
    return values


def values_set_at(connection: Connection, trait: str) -> dict[str, tuple[str | None, datetime]]:
    """Customer id -> (stored JSON value of ``trait``, when that value was first saved)."""
    return {str(customer): (value, computed_at) for customer, value, computed_at in
            connection.execute(select(TRAITS.c.customer_id, TRAITS.c.value,
                                      TRAITS.c.computed_at).where(TRAITS.c.trait == trait))}


def forget_customer_traits(connection: Connection, module: str, record_id: str) -> int:
    """Delete every trait value and trait history row of one customer; the rows removed.

    ``module`` names the customer's module (traits are keyed by customer id alone today).
    """
    del module
    removed = connection.execute(delete(TRAITS).where(TRAITS.c.customer_id == record_id))
    history = connection.execute(delete(TRAIT_HISTORY).where(
        TRAIT_HISTORY.c.customer_id == record_id))
    return int(removed.rowcount or 0) + int(history.rowcount or 0)
