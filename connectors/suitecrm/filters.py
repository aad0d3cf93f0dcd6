"""List filters: conditions joined by AND or OR, as V8 query parameters or matched locally.

V8 knows ``filter[<field>][<op>]=<value>`` with the operators eq, neq, gt, gte, lt, lte
and like, and one combinator for the whole filter (``filter[operator]=and|or``); there is
no grouping, no ``in`` and no NULL test. Values go into SQL as quoted strings with no date
parsing, so datetimes are sent as ``YYYY-MM-DD HH:MM:SS`` in UTC (an offset would be
ignored, an unparseable value matches every row).

``Filter.matches`` applies the same filter to records already fetched: the way around
servers whose filters are broken for some fields (e-mail on Contacts/Leads, SuiteCRM #8617;
custom fields, #6455 and #10319, fixed in 7.14.5).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from connectors.suitecrm.records import Record
from connectors.suitecrm.values import datetime_text

__all__ = ["EMAIL_FIELDS", "OPERATORS", "Condition", "Filter"]

OPERATORS = ("eq", "neq", "gt", "gte", "lt", "lte", "like")
EMAIL_FIELDS = frozenset({"email1", "email2"})
_FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Condition:
    """``field op value``; ``op`` is one of eq neq gt gte lt lte like (any case).

    ``like`` takes SQL wildcards you supply yourself (``N%``). Aware datetimes are sent in
    UTC; naive datetimes and ``None`` are refused (V8 cannot test for NULL).
    """

    field: str
    op: str
    value: str | int | float | Decimal | bool | date | datetime

    def __post_init__(self) -> None:
        if not _FIELD.match(self.field) or self.field == "operator":
            raise ValueError(f"filter field {self.field!r} is not a SuiteCRM field name")
        op = str(self.op).lower()
        if op not in OPERATORS:
            raise ValueError(
                f"filter on {self.field}: operator {self.op!r} is not one of "
                f"{', '.join(OPERATORS)} (V8 has no in, between or NULL tests)"
            )
        object.__setattr__(self, "op", op)
        if self.value is None:
            raise ValueError(f"filter on {self.field}: V8 filters cannot test for NULL")
        self.wire_value()  # refuse naive datetimes now, not when the request is built

    def wire_value(self) -> str:
        """The value as the query string carries it."""
        value = self.value
        if isinstance(value, datetime):
            return datetime_text(value, what=f"filter on {self.field}")
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, bool):
            return "1" if value else "0"
        return str(value)

    def matches(self, record: Record) -> bool:
        """Whether ``record`` meets this condition, with SQL semantics (NULL never matches)."""
        actual = record.id if self.field == "id" else record.attributes.get(self.field)
        if actual is None:
            return False
        if self.op == "like":
            return _like(self.wire_value()).fullmatch(_text(actual)) is not None
        left, right = _comparable(actual, self.value)
        return _COMPARE[self.op](left, right)


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda a, b: bool(a == b),
    "neq": lambda a, b: bool(a != b),
    "gt": lambda a, b: bool(a > b),
    "gte": lambda a, b: bool(a >= b),
    "lt": lambda a, b: bool(a < b),
    "lte": lambda a, b: bool(a <= b),
}


def _text(value: Any) -> str:
    if isinstance(value, datetime):
        return datetime_text(value, what="value")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value).casefold()


def _like(pattern: str) -> re.Pattern[str]:
    parts = (".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern.casefold())
    return re.compile("".join(parts), re.DOTALL)


def _comparable(actual: Any, wanted: Any) -> tuple[Any, Any]:
    """Both sides in one type, as the database would compare them."""
    if isinstance(actual, datetime) and isinstance(wanted, datetime):
        return actual, wanted
    if isinstance(actual, bool) or isinstance(wanted, bool):
        return _text(actual), _text(wanted)
    if isinstance(actual, int | float | Decimal) and not isinstance(wanted, date):
        try:
            return Decimal(str(actual)), Decimal(str(wanted))
        except ArithmeticError:
            pass
    return _text(actual), _text(wanted)


@dataclass(frozen=True)
class Filter:
    """Conditions joined by one combinator: ``Filter.all(...)`` (AND) or ``Filter.any(...)``.

    ``explicit`` also sends ``filter[operator]=and`` for AND (the server's default).
    """

    conditions: tuple[Condition, ...]
    combinator: Literal["and", "or"] = "and"
    explicit: bool = False

    def __post_init__(self) -> None:
        if not self.conditions:
            raise ValueError("a filter needs at least one condition")
        seen: set[tuple[str, str]] = set()
        for condition in self.conditions:
            key = (condition.field, condition.op)
            if key in seen:
                raise ValueError(
                    f"filter has {condition.field} {condition.op} twice; the server would keep "
                    "only the last (use Filter.matches for more)"
                )
            seen.add(key)

    @classmethod
    def all(cls, *conditions: Condition, explicit: bool = False) -> Filter:
        """Every condition must hold (AND)."""
        return cls(tuple(conditions), "and", explicit)

    @classmethod
    def any(cls, *conditions: Condition) -> Filter:
        """At least one condition must hold (``filter[operator]=or``)."""
        return cls(tuple(conditions), "or", True)

    @property
    def fields(self) -> frozenset[str]:
        """The fields the conditions test."""
        return frozenset(condition.field for condition in self.conditions)

    def params(self) -> Iterator[tuple[str, str]]:
        """The query parameters of this filter."""
        if self.explicit or self.combinator == "or":
            yield "filter[operator]", self.combinator
        for condition in self.conditions:
            yield f"filter[{condition.field}][{condition.op}]", condition.wire_value()

    def matches(self, record: Record) -> bool:
        """Whether ``record`` passes this filter, evaluated locally."""
        results = (condition.matches(record) for condition in self.conditions)
        return any(results) if self.combinator == "or" else all(results)
