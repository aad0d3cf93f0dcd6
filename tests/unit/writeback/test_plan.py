"""Only changed, mapped fields of records with traits are planned, by policy."""

from __future__ import annotations

from sync.settings import FieldType, WritePolicy
from sync.writeback.fieldspec import FieldSpec
from sync.writeback.plan import FieldChange, plan_changes
from tests.unit.writeback.conftest import SpecFactory


def _specs(make_spec: SpecFactory) -> list[FieldSpec]:
    return [
        make_spec(FieldType.ENUM, trait="stage", name="sp_stage_c",
                  options={"new": "New", "active": "Active"}),
        make_spec(FieldType.DECIMAL, trait="clv", name="sp_clv_c", len=18, precision=2),
    ]


def test_only_changed_fields_are_planned(make_spec: SpecFactory) -> None:
    current = [
        ("a", {"sp_stage_c": "new", "sp_clv_c": "10.00", "last_name": "x"}),
        ("b", {"sp_stage_c": "active", "sp_clv_c": "5.50"}),
    ]
    traits = {"a": {"stage": "active", "clv": 10.001}, "b": {"stage": "active", "clv": 5.5}}
    plan = plan_changes(_specs(make_spec), current, traits)
    assert plan.compared == 2
    assert [(c.record_id, c.attributes()) for c in plan.changes] == [
        ("a", {"sp_stage_c": "active"})]
    assert plan.changes[0].changes == (FieldChange("sp_stage_c", "new", "active", "stage"),)


def test_records_without_traits_and_unmapped_traits_are_left_alone(make_spec: SpecFactory) -> None:
    current = [("a", {"sp_stage_c": ""}), ("b", {"sp_stage_c": ""})]
    plan = plan_changes(_specs(make_spec), current, {"a": {"stage": "new", "unmapped": 1}})
    assert [c.record_id for c in plan.changes] == ["a"]
    assert plan.changes[0].attributes() == {"sp_stage_c": "new"}


def test_a_missing_value_clears_an_overwrite_field(make_spec: SpecFactory) -> None:
    plan = plan_changes(_specs(make_spec), [("a", {"sp_clv_c": "3.00"})], {"a": {"clv": None}})
    assert plan.changes[0].changes == (FieldChange("sp_clv_c", 3.0, "", "clv"),)


def test_fill_empty_writes_only_empty_fields(make_spec: SpecFactory) -> None:
    spec = make_spec(FieldType.VARCHAR, trait="segment", name="sp_segment_c",
                     policy=WritePolicy.FILL_EMPTY, len=100)
    current = [("full", {"sp_segment_c": "kept by a user"}), ("empty", {"sp_segment_c": ""})]
    traits = {"full": {"segment": "champions"}, "empty": {"segment": "champions"}}
    plan = plan_changes([spec], current, traits)
    assert [(c.record_id, c.attributes()) for c in plan.changes] == [
        ("empty", {"sp_segment_c": "champions"})]


def test_values_the_field_cannot_hold_are_rejected_not_sent(make_spec: SpecFactory) -> None:
    current = [("a", {"sp_stage_c": "new", "sp_clv_c": ""})]
    plan = plan_changes(_specs(make_spec), current, {"a": {"stage": "bogus", "clv": 2}})
    assert [c.attributes() for c in plan.changes] == [{"sp_clv_c": 2.0}]
    assert len(plan.rejected) == 1
    assert plan.rejected[0].field == "sp_stage_c"
    assert "'bogus' is not an option" in plan.rejected[0].reason


def test_extra_attributes_ride_along_with_changes_only(make_spec: SpecFactory) -> None:
    current = [("a", {"sp_stage_c": "new"}), ("b", {"sp_stage_c": "active"})]
    extra = {r: {"date_modified": "2026-01-01 10:00:00"} for r in ("a", "b")}
    plan = plan_changes(_specs(make_spec), current,
                        {"a": {"stage": "active"}, "b": {"stage": "active"}}, extra=extra)
    assert [(c.record_id, c.attributes()) for c in plan.changes] == [
        ("a", {"sp_stage_c": "active", "date_modified": "2026-01-01 10:00:00"})]
