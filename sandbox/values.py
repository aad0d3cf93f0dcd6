"""How values are stored, and how SuiteCRM writes them into API responses and reads them back.

Output: every scalar is a string, empty is ``""``, datetimes are ISO-8601 cut to the minute,
``' " < >`` are HTML-encoded. Input: datetimes only in ``YYYY-MM-DD HH:MM:SS`` (anything else
becomes NULL), numbers that do not parse become 0, HTML entities are decoded.
"""

from __future__ import annotations

import html
import re
from typing import Any

__all__ = [
    "coerce_filter_value",
    "coerce_input",
    "column_affinity",
    "encode_html",
    "format_value",
    "stored_defaults",
    "value_kind",
]

_DB_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MARIADB_DATETIME = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{1,2})(?::(\d{1,2}))?(?:\.\d+)?)?"
)
_NUMBER = re.compile(r"^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?")
_HTML_ENCODE = str.maketrans({"'": "&#039;", '"': "&quot;", "<": "&lt;", ">": "&gt;"})
_ZERO_DATETIME = "0000-00-00 00:00:00"


def value_kind(meta: dict[str, Any]) -> str:
    """One of int, float, decimal, bool, date, datetime, text."""
    db_type = str(meta.get("dbType") or meta.get("type"))
    type_ = str(meta.get("type"))
    if type_ in {"datetime", "datetimecombo"} or db_type == "datetime":
        return "datetime"
    if type_ == "date" or db_type == "date":
        return "date"
    if db_type in {"int", "long", "tinyint"} or type_ == "int":
        return "int"
    if db_type == "bool" or type_ == "bool":
        return "bool"
    if db_type in {"decimal"} or type_ == "decimal":
        return "decimal"
    if db_type in {"float", "double", "currency"} or type_ in {"float", "currency"}:
        return "float"
    return "text"


def column_affinity(meta: dict[str, Any]) -> str:
    """The SQLite column type for a field."""
    kind = value_kind(meta)
    if kind in {"int", "bool"}:
        return "INTEGER"
    if kind in {"float", "decimal"}:
        return "REAL"
    return "TEXT"


def encode_html(text: str) -> str:
    """Encode ``' " < >`` the way SuiteCRM's ``to_html`` does (``&`` stays)."""
    return text.translate(_HTML_ENCODE)


def _precision(meta: dict[str, Any]) -> int | None:
    value = meta.get("precision")
    if value is None or value == "":
        return None
    return int(value)


def _format_number(value: float, meta: dict[str, Any]) -> str:
    precision = _precision(meta)
    if precision is not None:
        return f"{value:.{precision}f}"
    if value_kind(meta) == "decimal":
        return f"{value:.2f}"
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


def format_value(value: Any, meta: dict[str, Any]) -> Any:
    """A stored value as SuiteCRM's V8 API writes it."""
    kind = value_kind(meta)
    if value is None:
        if kind == "bool":
            default = meta.get("default")
            return str(default) if default not in (None, "") else False
        return ""
    if kind == "datetime":
        text = str(value)
        if not _DB_DATETIME.match(text):
            return ""
        return f"{text[:10]}T{text[11:16]}:00+00:00"
    if kind == "int":
        return str(int(value))
    if kind == "bool":
        return "1" if int(value) else "0"
    if kind in {"float", "decimal"}:
        return _format_number(float(value), meta)
    return encode_html(str(value))


def _parse_number(text: str) -> float:
    match = _NUMBER.match(text)
    return float(match.group(0)) if match else 0.0


def coerce_input(value: Any, meta: dict[str, Any]) -> Any:
    """A value sent on create or PATCH as SuiteCRM stores it (``""`` clears)."""
    kind = value_kind(meta)
    if value is None or value == "":
        return None
    if kind == "datetime":
        text = str(value).strip()
        return text if _DB_DATETIME.match(text) else None
    if kind == "date":
        text = str(value).strip()
        return text if _DATE.match(text) else None
    if kind == "bool":
        if isinstance(value, bool):
            return int(value)
        return 0 if str(value).strip().lower() in {"0", "off", "false", "no"} else 1
    if kind == "int":
        if isinstance(value, int | float):
            return int(value)
        return int(_parse_number(str(value)))
    if kind in {"float", "decimal"}:
        if isinstance(value, int | float):
            return float(value)
        return _parse_number(str(value))
    text = html.unescape(str(value))
    return text.strip() if meta.get("type") in {"name", "varchar"} else text


def coerce_filter_value(value: str, meta: dict[str, Any]) -> Any:
    """A filter value as MariaDB compares it with the column.

    Datetimes: the date and time part of any ISO-like form is used, an offset is ignored, a date
    alone means midnight, and anything unparseable becomes the zero date (so ``gt`` matches every
    row), as the recordings show.
    """
    text = html.unescape(value)
    kind = value_kind(meta)
    if kind in {"datetime", "date"}:
        match = _MARIADB_DATETIME.match(text.strip())
        if not match:
            return _ZERO_DATETIME if kind == "datetime" else "0000-00-00"
        year, month, day, hour, minute, second = (int(g or 0) for g in match.groups())
        if kind == "date":
            return f"{year:04d}-{month:02d}-{day:02d}"
        return f"{year:04d}-{month:02d}-{day:02d} {hour:02d}:{minute:02d}:{second:02d}"
    if kind in {"int", "bool"}:
        return int(_parse_number(text))
    if kind in {"float", "decimal"}:
        return _parse_number(text)
    return text


def stored_defaults(fields: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Values SuiteCRM gives a new record's columns that have a vardef default."""
    from sandbox.schema import field_is_stored

    return {
        name: coerce_input(meta["default"], meta)
        for name, meta in fields.items()
        if name != "id" and meta.get("default") not in (None, "") and field_is_stored(name, meta)
    }
