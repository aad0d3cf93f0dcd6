"""fields check lists what the server lacks or holds differently."""

from __future__ import annotations

from dataclasses import dataclass

from connectors.suitecrm import SearchFields
from sync.settings import FieldType
from sync.writeback.field_check import NOT_CHECKED, check_fields, check_mapping
from tests.unit.writeback.conftest import SpecFactory


@dataclass(frozen=True)
class Meta:
    name: str
    type: str
    db_type: str
    len: int | None = None
    precision: int | None = None
    source: str | None = "custom_fields"
    required: bool = False


def test_matching_fields_give_no_problem_and_others_are_listed(make_spec: SpecFactory) -> None:
    specs = [
        make_spec(FieldType.ENUM, trait="stage", name="sp_stage_c", len=100),
        make_spec(FieldType.DECIMAL, trait="clv", name="sp_clv_c", len=18, precision=2),
        make_spec(FieldType.VARCHAR, trait="segment", name="sp_segment_c", len=100),
        make_spec(FieldType.INT, trait="orders", name="sp_orders_c", len=11),
        make_spec(FieldType.DATETIME, trait="at", name="sp_at_c"),
        make_spec(FieldType.FLOAT, trait="risk", name="sp_risk_c", len=18, precision=4),
    ]
    server = {
        "sp_stage_c": Meta("sp_stage_c", "enum", "enum", 100),
        "sp_clv_c": Meta("sp_clv_c", "decimal", "decimal", 18, 4),
        "sp_segment_c": Meta("sp_segment_c", "varchar", "varchar", 50),
        "sp_orders_c": Meta("sp_orders_c", "varchar", "varchar", 11),
        "sp_at_c": Meta("sp_at_c", "datetimecombo", "datetime"),
    }
    asked: list[str] = []

    def fields_of(module: str) -> dict[str, Meta]:
        asked.append(module)
        return server

    problems = check_fields(specs, fields_of)
    assert asked == ["Contacts"]
    assert [(p.field, p.problem, p.expected, p.actual) for p in problems] == [
        ("sp_clv_c", "other precision", "2", "4"),
        ("sp_segment_c", "too short", "100", "50"),
        ("sp_orders_c", "other type", "int", "varchar"),
        ("sp_risk_c", "missing; install the fields package (suitepulse fields package)",
         None, None),
    ]
    assert str(problems[0]) == ("Contacts.sp_clv_c (clv): other precision "
                                "(expected 2, server has 4)")


def test_fields_the_server_has_must_be_in_the_quick_filter_and_the_filter(
        make_spec: SpecFactory) -> None:
    specs = [make_spec(FieldType.ENUM, trait="stage", name="sp_stage_c", len=100),
             make_spec(FieldType.ENUM, trait="segment", name="sp_segment_c", len=100),
             make_spec(FieldType.INT, trait="orders", name="sp_orders_c", len=11)]
    server = {"sp_stage_c": Meta("sp_stage_c", "enum", "enum", 100),
              "sp_segment_c": Meta("sp_segment_c", "enum", "enum", 100)}
    # entries as SuiteCRM sends them: a definition with a name, or just the name
    search = SearchFields.from_attributes({
        "basic": [{"name": "search_name"}, "sp_stage_c", {"name": "sp_segment_c"}],
        "advanced": [{"name": "sp_stage_c", "type": "enum"}]})
    result = check_mapping(specs, lambda _module: server, lambda _module: search)
    assert [(p.field, p.problem) for p in result.problems] == [
        ("sp_orders_c", "missing; install the fields package (suitepulse fields package)"),
        ("sp_segment_c", "not in the filter (advanced search); install the fields package again"),
    ]
    assert result.not_checked == list(NOT_CHECKED)
    assert result.checked == 3
