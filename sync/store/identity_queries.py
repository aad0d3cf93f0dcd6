"""Read-only questions about identities: which keys several records share, and what one key
or one record links (for ``suitepulse identity conflicts`` and ``identity explain``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Connection, func, select

from sync.store.schema import IDENTITIES, INTERACTIONS

__all__ = ["InteractionCount", "SharedKey", "interactions_by_key", "interactions_of_record",
           "keys_of_record", "records_with_key", "shared_keys"]


@dataclass(frozen=True)
class SharedKey:
    """A key held by several person records, and how many interactions it leaves unlinked."""

    kind: str
    value: str  # the keyed digest: never shown, only used to look further
    records: tuple[tuple[str, str], ...]
    interactions: int


@dataclass(frozen=True)
class InteractionCount:
    """How many interactions of one channel and kind ended in one state."""

    channel: str
    kind: str
    match: str
    count: int


def shared_keys(connection: Connection, person_modules: Sequence[str]) -> list[SharedKey]:
    """Keys that two or more person records hold, most records first."""
    crowded = connection.execute(select(IDENTITIES.c.kind, IDENTITIES.c.value).where(
        IDENTITIES.c.module.in_(person_modules)).group_by(
        IDENTITIES.c.kind, IDENTITIES.c.value).having(func.count() > 1)).all()
    found = []
    for kind, value in crowded:
        records = tuple(sorted(records_with_key(connection, kind, value, person_modules)))
        unlinked = connection.execute(select(func.count()).select_from(INTERACTIONS).where(
            INTERACTIONS.c.key_kind == kind, INTERACTIONS.c.key_value == value)).scalar_one()
        found.append(SharedKey(str(kind), str(value), records, int(unlinked)))
    return sorted(found, key=lambda key: (-len(key.records), key.records))


def records_with_key(connection: Connection, kind: str, value: str,
                     person_modules: Sequence[str]) -> list[tuple[str, str]]:
    """(module, record id) of the person records holding one key."""
    return [(str(m), str(r)) for m, r in connection.execute(
        select(IDENTITIES.c.module, IDENTITIES.c.record_id).where(
            IDENTITIES.c.kind == kind, IDENTITIES.c.value == value,
            IDENTITIES.c.module.in_(person_modules)))]


def keys_of_record(connection: Connection, module: str, record_id: str) -> list[tuple[str, str]]:
    """(kind, digest) of every key one record holds."""
    return [(str(k), str(v)) for k, v in connection.execute(
        select(IDENTITIES.c.kind, IDENTITIES.c.value).where(
            IDENTITIES.c.module == module, IDENTITIES.c.record_id == record_id))]


def _counts(connection: Connection,
            *conditions: ColumnElement[bool]) -> list[InteractionCount]:
    rows = connection.execute(select(
        INTERACTIONS.c.channel, INTERACTIONS.c.kind, INTERACTIONS.c.match, func.count()).where(
        *conditions).group_by(INTERACTIONS.c.channel, INTERACTIONS.c.kind,
                              INTERACTIONS.c.match).order_by(
        INTERACTIONS.c.channel, INTERACTIONS.c.kind, INTERACTIONS.c.match))
    return [InteractionCount(str(c), str(k), str(m), int(n)) for c, k, m, n in rows]


def interactions_by_key(connection: Connection, kind: str, value: str) -> list[InteractionCount]:
    """The interactions carrying one key, counted by channel, kind and state."""
    return _counts(connection, INTERACTIONS.c.key_kind == kind,
                   INTERACTIONS.c.key_value == value)


def interactions_of_record(connection: Connection, module: str,
                           record_id: str) -> list[InteractionCount]:
    """The interactions linked to one record, counted by channel and kind."""
    return _counts(connection, INTERACTIONS.c.person_module == module,
                   INTERACTIONS.c.person_id == record_id)
