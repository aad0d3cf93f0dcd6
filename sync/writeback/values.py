"""Trait values in the forms SuiteCRM keeps, and comparison at the field's precision.

``to_wire`` turns a trait value into what is sent in a PATCH (FACTS.md sections 6-7): datetimes
as ``YYYY-MM-DD HH:MM:SS`` UTC, dates ``YYYY-MM-DD``, ``""`` to clear, enum keys checked
against the field's options (the server stores anything), numbers as JSON numbers rounded to
the field's precision, booleans as 1/0. ``comparable`` reduces a value, whether the API's string
(``"15999.95"``, ``"2026-11-21T02:53:00+00:00"``, ``""``) or a converted Python value, to what
the server can tell apart: numbers at the field's precision, datetimes to the minute.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from connectors.suitecrm.values import datetime_text
from sync.settings import FieldType
from sync.writeback.fieldspec import FieldSpec

__all__ = ["Comparable", "ValueRejected", "WireValue", "comparable", "is_empty", "to_wire"]

WireValue = str | int | float
"""A value as sent in a PATCH body; ``""`` clears the field."""

Comparable = str | int | bool | Decimal | date | datetime | None
"""A value reduced to what the server keeps; None means empty."""

_MISSING_TYPES = frozenset({"NAType", "NaTType"})  # pandas' missing markers
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off", ""})


class ValueRejected(ValueError):
    """A value that the field cannot hold; the message says why."""


def is_empty(value: Any) -> bool:
    """None, ``""``, NaN and pandas' missing markers count as empty."""
    if value is None:
        return True
    if isinstance(value, str):
        return value == ""
    if isinstance(value, float):
        return math.isnan(value)
    if type(value).__name__ in _MISSING_TYPES:
        return True
    try:
        return bool(value != value)  # NaN-like values are unequal to themselves
    except (TypeError, ValueError):
        return False


def to_wire(value: Any, spec: FieldSpec, *, strict: bool = True) -> WireValue:
    """``value`` as sent to ``spec``'s field; raises ``ValueRejected`` where it cannot be.

    With ``strict=False`` (restoring an old value) enum keys are not checked and text is not
    cut to the field's length.
    """
    if is_empty(value):
        return ""
    kind = spec.type
    if kind is FieldType.ENUM:
        return _enum_key(value, spec, strict=strict)
    if kind in (FieldType.VARCHAR, FieldType.TEXT):
        return _text(value, spec, strict=strict)
    if kind is FieldType.INT:
        return int(_decimal(value, spec, 0))
    if kind in (FieldType.DECIMAL, FieldType.FLOAT):
        return float(_decimal(value, spec, spec.precision or 0))
    if kind is FieldType.BOOL:
        return 1 if _bool(value) else 0
    if kind is FieldType.DATE:
        return _date(value).isoformat()
    return datetime_text(_datetime(value), what=f"{spec.module}.{spec.name}")


def comparable(value: Any, spec: FieldSpec) -> Comparable:
    """``value`` reduced to what the CRM keeps and shows, for comparing old with new."""
    if spec.type is FieldType.BOOL:
        return False if is_empty(value) else _bool(value)
    if is_empty(value):
        return None
    try:
        kind = spec.type
        if kind in (FieldType.ENUM, FieldType.VARCHAR, FieldType.TEXT):
            text = str(value)
            return text.strip() if kind is FieldType.VARCHAR else text
        if kind is FieldType.INT:
            return int(_decimal(value, spec, 0, check_range=False))
        if kind in (FieldType.DECIMAL, FieldType.FLOAT):
            return _decimal(value, spec, spec.precision or 0, check_range=False)
        if kind is FieldType.DATE:
            return _date(value)
        return _datetime(value).replace(second=0, microsecond=0)
    except ValueRejected:
        return str(value)  # whatever the server holds that we cannot read differs from ours


def _enum_key(value: Any, spec: FieldSpec, *, strict: bool) -> str:
    key = value.value if hasattr(value, "value") and not isinstance(value, str) else value
    key = str(key)
    if strict and spec.options is not None and key not in spec.options:
        shown = ", ".join(list(spec.options)[:10])
        raise ValueRejected(f"{key!r} is not an option of {spec.qualified} ({shown})")
    return key


def _text(value: Any, spec: FieldSpec, *, strict: bool) -> str:
    text = str(value)
    if spec.type is FieldType.VARCHAR:
        text = text.strip()
        if strict and spec.len is not None:
            text = text[: spec.len]
    return text


def _decimal(value: Any, spec: FieldSpec, places: int, *, check_range: bool = True) -> Decimal:
    if isinstance(value, bool):
        number = Decimal(int(value))
    else:
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise ValueRejected(f"{value!r} is not a number ({spec.qualified})") from None
    if not number.is_finite():
        raise ValueRejected(f"{value!r} is not a finite number ({spec.qualified})")
    rounded = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    digits = (spec.len or 0) - places
    if check_range and spec.type is not FieldType.INT and spec.len and (
        abs(rounded) >= Decimal(10) ** digits
    ):
        raise ValueRejected(
            f"{value!r} does not fit {spec.qualified} ({spec.type}({spec.len},{places}))"
        )
    return rounded


def _bool(value: Any) -> bool:
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ValueRejected(f"{value!r} is not a yes/no value")
    return bool(value)


def _date(value: Any) -> date:
    if isinstance(value, datetime):
        return _utc(value).date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        raise ValueRejected(f"{value!r} is not a date (YYYY-MM-DD)") from None


def _datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        return _utc(value)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    try:
        return _utc(datetime.fromisoformat(str(value).strip()))
    except ValueError:
        raise ValueRejected(f"{value!r} is not a date and time") from None


def _utc(moment: datetime) -> datetime:
    """Naive datetimes are UTC, as the server's database values are."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
