"""Field types of each module, as its source reported them at the last pull."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import Connection, delete, select

from sync.store.schema import MODULE_FIELDS

__all__ = ["field_types", "save_field_types"]


def save_field_types(connection: Connection, module: str, types: Mapping[str, str]) -> None:
    """Replace the field types kept for ``module`` with ``types`` (field name -> type)."""
    connection.execute(delete(MODULE_FIELDS).where(MODULE_FIELDS.c.module == module))
    if types:
        connection.execute(MODULE_FIELDS.insert(), [
            {"module": module, "name": name, "type": kind} for name, kind in types.items()])


def field_types(connection: Connection, module: str) -> dict[str, str]:
    """Field name -> type of ``module`` (empty before its first pull)."""
    return {str(name): str(kind) for name, kind in connection.execute(
        select(MODULE_FIELDS.c.name, MODULE_FIELDS.c.type).where(
            MODULE_FIELDS.c.module == module))}
