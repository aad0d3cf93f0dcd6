"""Trait values are written in the forms SuiteCRM keeps and compared at its precision."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from sync.settings import FieldType
from sync.writeback.values import ValueRejected, comparable, to_wire
from tests.unit.writeback.conftest import SpecFactory


def test_datetimes_are_written_in_db_format_in_utc(make_spec: SpecFactory) -> None:
    spec = make_spec(FieldType.DATETIME)
    berlin = timezone(timedelta(hours=2))
    assert to_wire(datetime(2026, 5, 3, 16, 7, 36, tzinfo=berlin), spec) == "2026-05-03 14:07:36"
    assert to_wire(datetime(2026, 5, 3, 14, 7, 36), spec) == "2026-05-03 14:07:36"
    assert to_wire("2026-05-03T14:07:36+00:00", spec) == "2026-05-03 14:07:36"


def test_empty_values_clear_the_field(make_spec: SpecFactory) -> None:
    for field_type in FieldType:
        spec = make_spec(field_type, options={"a": "A"} if field_type is FieldType.ENUM else None)
        for empty in (None, "", float("nan")):
            assert to_wire(empty, spec) == ""


def test_pandas_missing_values_clear_the_field(make_spec: SpecFactory) -> None:
    pd = pytest.importorskip("pandas")
    assert to_wire(pd.NaT, make_spec(FieldType.DATETIME)) == ""
    assert to_wire(pd.NA, make_spec(FieldType.INT)) == ""


def test_enum_keys_must_be_options(make_spec: SpecFactory) -> None:
    spec = make_spec(FieldType.ENUM, options={"new": "New", "active": "Active"})
    assert to_wire("active", spec) == "active"
    with pytest.raises(ValueRejected, match=r"'lost' is not an option of Contacts\.sp_trait_c"):
        to_wire("lost", spec)
    assert to_wire("lost", spec, strict=False) == "lost"


def test_numbers_are_rounded_to_the_field_precision(make_spec: SpecFactory) -> None:
    spec = make_spec(FieldType.DECIMAL, len=18, precision=2)
    assert to_wire(1234.565, spec) == 1234.57
    assert to_wire(Decimal("0.125"), make_spec(FieldType.FLOAT, len=18, precision=2)) == 0.13
    assert to_wire(7.5, make_spec(FieldType.INT, len=11)) == 8
    assert isinstance(to_wire("12", make_spec(FieldType.INT)), int)


def test_numbers_that_do_not_fit_are_rejected(make_spec: SpecFactory) -> None:
    spec = make_spec(FieldType.DECIMAL, len=5, precision=2)
    assert to_wire(999.99, spec) == 999.99
    with pytest.raises(ValueRejected, match="does not fit"):
        to_wire(1000, spec)
    with pytest.raises(ValueRejected, match="not a finite number"):
        to_wire(float("inf"), spec)
    with pytest.raises(ValueRejected, match="not a number"):
        to_wire("abc", spec)


def test_booleans_dates_and_text(make_spec: SpecFactory) -> None:
    assert to_wire(True, make_spec(FieldType.BOOL)) == 1
    assert to_wire("no", make_spec(FieldType.BOOL)) == 0
    assert to_wire(datetime(2026, 1, 2, 23, 30, tzinfo=UTC), make_spec(FieldType.DATE)) == (
        "2026-01-02")
    assert to_wire("  hello  ", make_spec(FieldType.VARCHAR, len=3)) == "hel"
    assert to_wire("  hello  ", make_spec(FieldType.TEXT)) == "  hello  "


def test_api_strings_compare_equal_to_the_values_written(make_spec: SpecFactory) -> None:
    decimal = make_spec(FieldType.DECIMAL, len=18, precision=2)
    assert comparable("15999.95", decimal) == comparable(15999.949, decimal)
    assert comparable("15999.95", decimal) != comparable(15999.96, decimal)
    floating = make_spec(FieldType.FLOAT, len=18, precision=4)
    assert comparable("0.1250", floating) == comparable(0.125, floating)
    assert comparable("9", make_spec(FieldType.INT)) == comparable(9.0, make_spec(FieldType.INT))
    assert comparable("1", make_spec(FieldType.BOOL)) is True


def test_datetimes_compare_to_the_minute_the_api_shows(make_spec: SpecFactory) -> None:
    spec = make_spec(FieldType.DATETIME)
    shown = "2026-11-21T02:53:00+00:00"
    assert comparable(shown, spec) == comparable("2026-11-21 02:53:37", spec)
    assert comparable(shown, spec) != comparable("2026-11-21 02:54:00", spec)
    assert comparable(date(2026, 11, 21), make_spec(FieldType.DATE)) == comparable(
        "2026-11-21", make_spec(FieldType.DATE))


def test_empty_forms_compare_equal(make_spec: SpecFactory) -> None:
    for field_type in (FieldType.INT, FieldType.DECIMAL, FieldType.DATETIME, FieldType.ENUM):
        spec = make_spec(field_type)
        assert comparable("", spec) is None
        assert comparable(None, spec) is None
    # an unset bool comes back as "0", its default
    assert comparable("0", make_spec(FieldType.BOOL)) == comparable(None, make_spec(FieldType.BOOL))
