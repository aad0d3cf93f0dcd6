"""The one table of SuiteCRM field types: which kind of value each type holds.

Everything that reads values by their field type (the connector's value conversion, the
typed frames sync builds from the store) looks the type up here. Types not listed hold text.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

__all__ = ["FIELD_TYPES", "ValueKind", "types_of", "value_kind"]


class ValueKind(StrEnum):
    """What a field's values are, whatever SuiteCRM calls its type."""

    INT = "int"
    DECIMAL = "decimal"
    FLOAT = "float"
    DATE = "date"
    DATETIME = "datetime"
    BOOL = "bool"


FIELD_TYPES: Mapping[str, ValueKind] = MappingProxyType({
    "int": ValueKind.INT,
    "integer": ValueKind.INT,
    "long": ValueKind.INT,
    "tinyint": ValueKind.INT,
    "smallint": ValueKind.INT,
    "bigint": ValueKind.INT,
    "decimal": ValueKind.DECIMAL,
    "currency": ValueKind.DECIMAL,
    "float": ValueKind.FLOAT,
    "double": ValueKind.FLOAT,
    "date": ValueKind.DATE,
    "datetime": ValueKind.DATETIME,
    "datetimecombo": ValueKind.DATETIME,
    "bool": ValueKind.BOOL,
})
"""SuiteCRM type (``type`` or ``dbType`` of the field metadata) -> kind of value."""


def value_kind(field_type: str | None, db_type: str | None = None) -> ValueKind | None:
    """The kind of a field's values by its type, else its database type; None for text."""
    return FIELD_TYPES.get(field_type or "") or FIELD_TYPES.get(db_type or "")


def types_of(*kinds: ValueKind) -> frozenset[str]:
    """The SuiteCRM type names that hold values of these kinds."""
    return frozenset(name for name, kind in FIELD_TYPES.items() if kind in kinds)
