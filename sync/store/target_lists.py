"""The ``target_lists`` table: the SuiteCRM target lists SuitePulse made, by name.

Invariants: a row is saved with the list's id before the list is created (the create sends
that id), so a create whose answer was lost is found again by id, never made twice; a list
is ours exactly when it has a row here. ``created_at`` is set once the CRM holds the list.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, delete, select

from sync.store.schema import TARGET_LISTS

__all__ = ["ListBook", "TargetListRow", "confirm_target_list", "save_target_list",
           "target_lists"]


@dataclass(frozen=True)
class TargetListRow:
    """One list SuitePulse made (or is making): its name, id, members' module and segment."""

    name: str
    crm_id: str
    module: str
    segment: str
    created_at: datetime | None = None


def target_lists(connection: Connection) -> dict[str, TargetListRow]:
    """Every list SuitePulse made, by name."""
    return {row.name: TargetListRow(row.name, row.crm_id, row.module, row.segment,
                                    row.created_at)
            for row in connection.execute(select(TARGET_LISTS))}


def save_target_list(connection: Connection, row: TargetListRow) -> None:
    """Keep ``row`` as the list of its name (replacing an older one of the same name)."""
    connection.execute(delete(TARGET_LISTS).where(TARGET_LISTS.c.name == row.name))
    connection.execute(TARGET_LISTS.insert().values(
        name=row.name, crm_id=row.crm_id, module=row.module, segment=row.segment,
        created_at=row.created_at))


def confirm_target_list(connection: Connection, name: str, at: datetime) -> None:
    """Note that the CRM holds the list ``name``."""
    connection.execute(TARGET_LISTS.update().where(TARGET_LISTS.c.name == name)
                       .values(created_at=at))


class ListBook:
    """The ``target_lists`` table of a client's store (``Store.engine``), each call committed."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def known(self) -> dict[str, TargetListRow]:
        """The lists SuitePulse made, by name."""
        with self.engine.connect() as connection:
            return target_lists(connection)

    def save(self, row: TargetListRow) -> None:
        """Keep ``row``."""
        with self.engine.begin() as connection:
            save_target_list(connection, row)

    def confirm(self, name: str) -> None:
        """Note that the CRM holds the list ``name`` now."""
        with self.engine.begin() as connection:
            confirm_target_list(connection, name, datetime.now(UTC))
