"""Values between SuiteCRM's wire format and Python, driven by the field metadata.

Read: almost every scalar arrives as a string (``"9"``, ``"15999.95"``, ``"0"``/``"1"``),
empty or NULL is ``""``, strings carry HTML entities for ``' " < >`` (SuiteCRM #8101) and
datetimes are ``YYYY-MM-DDTHH:MM:00+00:00`` whose wall clock is UTC whatever the offset
says (SuiteCRM #9952).

Write: datetimes must be ``YYYY-MM-DD HH:MM:SS`` in UTC (ISO forms are silently dropped on
create and wipe the value on update), ``""`` clears a value (``null`` would leave it as it
is), numbers go as JSON numbers (strings are re-parsed with the API user's separators).
"""

from __future__ import annotations

import html
import logging
import math
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from connectors.suitecrm.field_types import ValueKind, types_of, value_kind
from connectors.suitecrm.records import FieldMeta

__all__ = [
    "DATETIME_TYPES",
    "api_value",
    "datetime_filter_text",
    "datetime_text",
    "python_value",
    "record_attributes",
]

log = logging.getLogger(__name__)

DATETIME_TYPES = types_of(ValueKind.DATETIME)
_DB_DATETIME = "%Y-%m-%d %H:%M:%S"


def datetime_text(value: datetime, *, what: str) -> str:
    """``value`` as SuiteCRM's DB format in UTC; a naive datetime is refused.

    ``what`` names the field or condition in the error message.
    """
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(
            f"{what}: naive datetime {value.isoformat()} has no timezone; SuiteCRM needs UTC, "
            "so pass an aware datetime (e.g. datetime.now(UTC))"
        )
    return value.astimezone(UTC).strftime(_DB_DATETIME)


def _to_bool(text: str) -> bool:
    return text.strip().lower() not in ("0", "false", "off", "no", "")


def _to_date(text: str) -> date:
    return date.fromisoformat(text[:10])


def _to_datetime(text: str) -> datetime:
    # The wall clock is UTC; the offset is PHP's default zone and may be wrong (#9952).
    wall = datetime.fromisoformat(text[:19].replace(" ", "T"))
    return wall.replace(tzinfo=UTC)


_READERS: dict[ValueKind, Callable[[str], Any]] = {
    ValueKind.INT: int,
    ValueKind.DECIMAL: Decimal,
    ValueKind.FLOAT: float,
    ValueKind.DATETIME: _to_datetime,
    ValueKind.BOOL: _to_bool,
    ValueKind.DATE: _to_date,
}


def python_value(meta: FieldMeta | None, raw: Any, *, where: str = "") -> Any:
    """Convert one attribute value as read from the API into its Python type.

    Unknown fields (no metadata) keep their string. A value that does not parse is kept as
    the decoded string and logged (field name only, never the value).
    """
    if raw is None or raw == "":
        return None
    if isinstance(raw, bool):
        return raw
    if not isinstance(raw, str):
        return raw
    if meta is not None:
        kind = value_kind(meta.type, meta.db_type)
        reader = _READERS[kind] if kind is not None else None
        if reader is not None:
            try:
                return reader(raw)
            except (ValueError, InvalidOperation):
                log.warning("%s: value of %s is not a valid %s; kept as text",
                            where or "record", meta.name, meta.type)
    return html.unescape(raw) if "&" in raw else raw


def record_attributes(
    attributes: Mapping[str, Any], fields: Mapping[str, FieldMeta], *, where: str = ""
) -> dict[str, Any]:
    """Convert every attribute of one record; link pseudo-fields are left out."""
    converted: dict[str, Any] = {}
    for name, raw in attributes.items():
        meta = fields.get(name)
        if meta is not None and meta.is_link:
            continue
        if meta is None and isinstance(raw, dict) and not raw:
            continue  # a loaded link object ({}) of a field the metadata does not list
        converted[name] = python_value(meta, raw, where=where)
    return converted


def _number(value: int | float | Decimal, what: str) -> int | float:
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{what}: {value} is not a finite number")
        return value
    if not value.is_finite():
        raise ValueError(f"{what}: {value} is not a finite number")
    if value == value.to_integral_value() and abs(value) < 2**53:
        return int(value)
    as_float = float(value)
    if Decimal(repr(as_float)) != value.normalize():
        raise ValueError(
            f"{what}: {value} has more digits than a JSON number keeps exactly; round it"
        )
    return as_float


def _iso(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None


def _datetime_string(text: str, what: str) -> str:
    """A string for a datetime field: DB format passes, ISO with an offset is converted."""
    parsed = _iso(text)
    if parsed is None:
        return text  # not ISO at all: sent as given (the user's display format may apply)
    if "T" not in text and parsed.tzinfo is None:
        return text  # already 'YYYY-MM-DD HH:MM:SS' (or a date): taken as UTC by SuiteCRM
    return datetime_text(parsed, what=what)


def datetime_filter_text(text: str, *, what: str) -> str:
    """A filter value for a datetime field, refused unless it is a date or datetime.

    SuiteCRM compares the raw string in SQL: an offset would be ignored and anything
    unparseable matches every row, so ISO forms are converted to UTC DB format.
    """
    parsed = _iso(text)
    if parsed is None:
        raise ValueError(
            f"{what}: {text!r} is not a date or datetime; SuiteCRM would match every row "
            "(use 'YYYY-MM-DD HH:MM:SS' in UTC or an aware datetime)"
        )
    if "T" not in text and parsed.tzinfo is None:
        return text.strip()
    return datetime_text(parsed, what=what)


def api_value(value: Any, meta: FieldMeta | None, *, what: str) -> Any:
    """Format one attribute value for create/update.

    datetime -> ``'YYYY-MM-DD HH:MM:SS'`` UTC (naive refused); date -> ``'YYYY-MM-DD'``;
    None -> ``""`` (clears); bool -> 1/0; int, float, Decimal -> JSON numbers; strings as
    given, except that an ISO-8601 string for a datetime field is converted to UTC DB format
    (SuiteCRM would drop it or wipe the stored value).
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return 1 if value else 0
    if isinstance(value, datetime):
        return datetime_text(value, what=what)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float | Decimal):
        return _number(value, what)
    if isinstance(value, str):
        if meta is not None and meta.is_datetime:
            return _datetime_string(value, what)
        return value
    raise TypeError(
        f"{what}: {type(value).__name__} values cannot be written; use str, int, float, "
        "Decimal, bool, date, datetime or None"
    )
