"""Evaluating rule segments (``enrichment.rule_language``) on a table of customers, vectorised.

Fields are record fields or computed traits (plus ``age``, whole years from ``birthdate``).
Comparisons with a missing value are false (``not`` turns them true). Text compares without
regard to case; ``contains`` looks for a substring. Dates and relative dates (``90d`` = 90
days before the computation date; ``w`` weeks, ``m`` calendar months, ``y`` years) compare
with date fields, numbers with numeric fields.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from enrichment.errors import EnrichmentError
from enrichment.rule_language import AllRule, AnyRule, Condition, NotRule, RelativeDate, Rule
from enrichment.settings import RuleSegment

__all__ = ["age_in_years", "evaluate_rule", "matching_segments"]

BoolArray = npt.NDArray[np.bool_]
_OFFSETS: dict[str, Callable[[int], pd.DateOffset]] = {
    "d": lambda n: pd.DateOffset(days=n), "w": lambda n: pd.DateOffset(weeks=n),
    "m": lambda n: pd.DateOffset(months=n), "y": lambda n: pd.DateOffset(years=n),
}


def age_in_years(birthdate: pd.Series, as_of: pd.Timestamp) -> pd.Series:
    """Whole years from ``birthdate`` to ``as_of``; missing or future birthdates give NA."""
    born = pd.to_datetime(birthdate, errors="coerce", utc=True)
    years = as_of.year - born.dt.year
    before_birthday = (born.dt.month > as_of.month) | (
        (born.dt.month == as_of.month) & (born.dt.day > as_of.day))
    age = (years - before_birthday.astype(int)).astype("Float64")
    return age.where(age >= 0)


def matching_segments(segments: Sequence[RuleSegment], table: pd.DataFrame,
                      as_of: pd.Timestamp) -> tuple[pd.Series, pd.Series]:
    """The first matching segment name and all matching names (``, ``-joined) per row."""
    first = pd.Series([None] * len(table), index=table.index, dtype=object)
    every = pd.Series([""] * len(table), index=table.index, dtype=object)
    for segment in segments:
        hit = evaluate_rule(segment.rule, table, as_of, segment=segment.name)
        first = first.where(first.notna() | ~hit, segment.name)
        joined = every.where(every == "", every + ", ") + segment.name
        every = every.where(~hit, joined)
    return first, every


def evaluate_rule(rule: Rule, table: pd.DataFrame, as_of: pd.Timestamp, *,
                  segment: str = "") -> BoolArray:
    """Rows of ``table`` for which ``rule`` holds."""
    if isinstance(rule, AllRule):
        return np.asarray(np.logical_and.reduce(
            [evaluate_rule(r, table, as_of, segment=segment) for r in rule.all]), dtype=bool)
    if isinstance(rule, AnyRule):
        return np.asarray(np.logical_or.reduce(
            [evaluate_rule(r, table, as_of, segment=segment) for r in rule.any]), dtype=bool)
    if isinstance(rule, NotRule):
        return ~evaluate_rule(rule.not_, table, as_of, segment=segment)
    return _condition(rule, table, as_of, segment)


def _condition(condition: Condition, table: pd.DataFrame, as_of: pd.Timestamp,
               segment: str) -> BoolArray:
    if condition.field not in table.columns:
        raise EnrichmentError(
            f"segment {segment!r} uses the field {condition.field!r}, which the customers "
            "do not have", column=condition.field,
            hint="use a record field that sync pulls, or a trait name")
    column = table[condition.field]
    operator, operand = condition.operator, condition.operand
    if operator == "contains":
        text = column.astype("string").str.casefold()
        return _true(text.str.contains(str(operand).casefold(), regex=False))
    values = operand if operator in ("in", "between") else [operand]
    kind = _kind(values)
    series = _as_kind(column, kind)
    targets = [_target(value, kind, as_of) for value in values]
    if operator == "equals":
        return _true(series == targets[0])
    if operator == "in":
        return _true(series.isin(targets))
    if operator == "between":
        low, high = sorted(targets)
        return _true((series >= low) & (series <= high))
    compare = {"gt": series.gt, "gte": series.ge, "lt": series.lt, "lte": series.le}[operator]
    return _true(compare(targets[0]))


def _kind(values: Sequence[Any]) -> str:
    if all(isinstance(v, date | RelativeDate) for v in values):
        return "date"
    if all(isinstance(v, bool) for v in values):
        return "bool"
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return "number"
    return "text"


def _as_kind(column: pd.Series, kind: str) -> pd.Series:
    if kind == "date":
        return pd.to_datetime(column, errors="coerce", utc=True).dt.normalize()
    if kind == "number":
        return pd.to_numeric(column, errors="coerce")
    if kind == "bool":
        text = column.astype("string").str.strip().str.casefold()
        return text.map({"true": True, "1": True, "yes": True, "false": False, "0": False,
                         "no": False})
    return column.astype("string").str.casefold()


def _target(value: Any, kind: str, as_of: pd.Timestamp) -> Any:
    if isinstance(value, RelativeDate):
        return (as_of - _OFFSETS[value.unit](value.count)).normalize()
    if kind == "date":
        return pd.Timestamp(value, tz="UTC")
    if kind == "text":
        return str(value).casefold()
    return value


def _true(mask: pd.Series) -> BoolArray:
    return np.asarray(mask.fillna(False).astype(bool).to_numpy(), dtype=bool)
