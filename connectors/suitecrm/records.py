"""Typed results of the SuiteCRM client: records and field metadata."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from connectors.suitecrm.field_types import ValueKind, value_kind

__all__ = ["CUSTOM_SOURCE", "FieldMeta", "Record"]

CUSTOM_SOURCE = "custom_fields"


@dataclass(frozen=True)
class Record:
    """One SuiteCRM record.

    ``module`` is the module it was asked for (``Contacts``; the server's singular ``type``
    such as ``Contact`` is not used), ``attributes`` hold Python values converted by the
    field metadata: ``""`` is ``None``; int, Decimal, float, bool, date, timezone-aware UTC
    datetime; strings with HTML entities decoded. Link-type attributes are left out.
    """

    module: str
    id: str
    attributes: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Any:
        return self.attributes[name]

    def get(self, name: str, default: Any = None) -> Any:
        """The value of attribute ``name``, or ``default`` when the record has none."""
        return self.attributes.get(name, default)


@dataclass(frozen=True)
class FieldMeta:
    """What ``GET /V8/meta/fields/{Module}`` says about one field.

    V8 metadata carries no labels and no dropdown options: an enum's allowed values are only
    returned by the legacy v4_1 ``get_module_fields`` call (or SuiteCRM's language files).
    """

    name: str
    type: str
    db_type: str
    len: int | None = None
    precision: int | None = None
    source: str | None = None
    required: bool = False

    @property
    def is_custom(self) -> bool:
        """Whether this is a custom (``_c``, ``custom_fields``) field."""
        return self.source == CUSTOM_SOURCE

    @property
    def is_link(self) -> bool:
        """Whether this is a link (relationship) pseudo-field rather than a value."""
        return self.type == "link"

    @property
    def is_datetime(self) -> bool:
        """Whether values are datetimes (``datetime``, ``datetimecombo``)."""
        return value_kind(self.type) is ValueKind.DATETIME or self.db_type == "datetime"

    @property
    def is_db(self) -> bool:
        """Whether the field is a real column (core or ``_cstm``), so filters can use it."""
        return self.source in (None, "", CUSTOM_SOURCE, "db")

    @classmethod
    def from_vardef(cls, name: str, vardef: Mapping[str, Any]) -> FieldMeta:
        """Build from one entry of the metadata document (numbers come as strings there)."""
        kind = str(vardef.get("type") or "varchar")
        return cls(
            name=name,
            type=kind,
            db_type=str(vardef.get("dbType") or kind),
            len=_optional_int(vardef.get("len")),
            precision=_optional_int(vardef.get("precision")),
            source=str(vardef["source"]) if vardef.get("source") else None,
            required=vardef.get("required") in (True, "1", 1, "true"),
        )


def _optional_int(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None
