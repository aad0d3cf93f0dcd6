"""Filters: query parameters, refused input and local matching."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from connectors.suitecrm import Condition, Filter, Record


def test_and_filter_sends_one_parameter_per_condition_without_combinator() -> None:
    flt = Filter.all(Condition("last_name", "eq", "Patel"), Condition("nps_score_c", "gte", 9))
    assert list(flt.params()) == [("filter[last_name][eq]", "Patel"),
                                  ("filter[nps_score_c][gte]", "9")]


def test_or_filter_switches_the_whole_filter() -> None:
    flt = Filter.any(Condition("a", "eq", "x"), Condition("b", "like", "N%"))
    assert next(iter(flt.params())) == ("filter[operator]", "or")
    assert ("filter[b][like]", "N%") in list(flt.params())


def test_explicit_and_and_ranges_on_one_field() -> None:
    start, end = datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC)
    flt = Filter.all(Condition("date_modified", "gte", start),
                     Condition("date_modified", "lt", end), explicit=True)
    assert list(flt.params()) == [
        ("filter[operator]", "and"),
        ("filter[date_modified][gte]", "2026-10-01 00:00:00"),
        ("filter[date_modified][lt]", "2026-11-01 00:00:00"),
    ]


@pytest.mark.parametrize("op", ["eq", "neq", "gt", "gte", "lt", "lte", "like", "GT", "Like"])
def test_every_operator_is_accepted_and_sent_in_lower_case(op: str) -> None:
    (name, _value), = Filter.all(Condition("x", op, "1")).params()
    assert name == f"filter[x][{op.lower()}]"


def test_aware_datetimes_are_sent_in_utc_db_format() -> None:
    berlin = datetime(2026, 11, 21, 4, 53, 27, tzinfo=timezone(timedelta(hours=2)))
    assert Condition("date_modified", "gt", berlin).wire_value() == "2026-11-21 02:53:27"
    assert Condition("birthdate", "eq", date(1990, 7, 4)).wire_value() == "1990-07-04"
    assert Condition("opt_in_c", "eq", True).wire_value() == "1"


@pytest.mark.parametrize(("field", "op", "value", "message"), [
    ("date_modified", "gt", datetime(2026, 1, 1), "naive datetime"),
    ("last_name", "between", "a", "not one of"),
    ("last_name", "in", "a", "not one of"),
    ("last name", "eq", "a", "not a SuiteCRM field"),
    ("operator", "eq", "or", "not a SuiteCRM field"),
    ("last_name", "eq", None, "NULL"),
])
def test_bad_conditions_are_refused_with_a_clear_message(
    field: str, op: str, value: object, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        Condition(field, op, value)  # type: ignore[arg-type]


def test_the_same_field_and_operator_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="twice"):
        Filter.all(Condition("a", "eq", "1"), Condition("a", "eq", "2"))
    with pytest.raises(ValueError, match="at least one"):
        Filter.all()


RECORD = Record("Contacts", "id-1", {
    "last_name": "O'Brien", "email1": "Aisha@Example.com", "clv_c": Decimal("120.50"),
    "date_modified": datetime(2026, 11, 21, 2, 53, tzinfo=UTC), "segment_c": None,
})


@pytest.mark.parametrize(("condition", "expected"), [
    (Condition("email1", "eq", "aisha@example.com"), True),   # case-insensitive collation
    (Condition("email1", "eq", "other@example.com"), False),
    (Condition("last_name", "like", "o'b%"), True),
    (Condition("last_name", "like", "_'Brien"), True),
    (Condition("last_name", "like", "Brien"), False),
    (Condition("clv_c", "gt", 100), True),
    (Condition("clv_c", "lte", "120.5"), True),
    (Condition("date_modified", "gte", datetime(2026, 11, 21, tzinfo=UTC)), True),
    (Condition("date_modified", "lt", datetime(2026, 11, 21, tzinfo=UTC)), False),
    (Condition("segment_c", "neq", "x"), False),               # NULL never matches
    (Condition("id", "eq", "id-1"), True),
])
def test_local_matching_follows_sql_semantics(condition: Condition, expected: bool) -> None:
    assert condition.matches(RECORD) is expected


def test_local_and_or() -> None:
    yes, no = Condition("clv_c", "gt", 1), Condition("clv_c", "lt", 0)
    assert Filter.any(yes, no).matches(RECORD) and not Filter.all(yes, no).matches(RECORD)
