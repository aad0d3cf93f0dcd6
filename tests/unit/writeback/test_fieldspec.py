"""Mappings are checked against the traits and completed from them."""

from __future__ import annotations

from typing import Any

import pytest

from enrichment.traits import TraitKind, TraitSpec
from sync.errors import ConfigError
from sync.settings import FieldType, WritebackSettings, WritePolicy
from sync.writeback.fieldspec import resolve_specs

TRAITS = {
    "lifecycle_stage": TraitSpec(TraitKind.ENUM, "Where the customer stands.",
                                 options=("new", "active", "at_risk")),
    "clv": TraitSpec(TraitKind.FLOAT, "Predicted value.", precision=2),
    "churn_risk": TraitSpec(TraitKind.FLOAT, "", precision=4),
    "orders": TraitSpec(TraitKind.INT, ""),
    "last_purchase": TraitSpec(TraitKind.DATE, ""),
}


def _settings(fields: dict[str, Any], **kwargs: Any) -> WritebackSettings:
    return WritebackSettings.model_validate({"fields": fields, **kwargs})


def test_specs_take_types_options_and_help_from_the_traits() -> None:
    specs = resolve_specs(_settings({
        "lifecycle_stage": "Accounts.sp_lifecycle_stage_c",
        "clv": {"field": "Accounts.sp_clv_c", "policy": "fill_empty"},
        "orders": "Accounts.sp_orders_c",
    }), traits=TRAITS, customer_module="Accounts")
    stage, clv, orders = specs
    assert stage.type is FieldType.ENUM
    assert stage.options == {"new": "New", "active": "Active", "at_risk": "At risk"}
    assert stage.options_list == "sp_lifecycle_stage_list"
    assert stage.help == "Where the customer stands."
    assert stage.label == "Lifecycle stage"
    assert (clv.type, clv.len, clv.precision, clv.policy) == (
        FieldType.DECIMAL, 18, 2, WritePolicy.FILL_EMPTY)
    assert (orders.type, orders.len, orders.precision) == (FieldType.INT, 11, None)


def test_mapping_settings_override_the_trait() -> None:
    (spec,) = resolve_specs(_settings({"churn_risk": {
        "field": "Contacts.sp_churn_c", "type": "float", "precision": 3, "label": "Churn",
        "help": "Chance of leaving."}}), traits=TRAITS)
    assert (spec.type, spec.precision, spec.label, spec.help) == (
        FieldType.FLOAT, 3, "Churn", "Chance of leaving.")


def _problems(error: pytest.ExceptionInfo[ConfigError]) -> list[str]:
    return [f"{p.path}: {p.message}" for p in error.value.problems]


def test_every_bad_mapping_is_reported_with_its_path() -> None:
    with pytest.raises(ConfigError) as error:
        resolve_specs(_settings({
            "lifecycle_stag": "Accounts.sp_stage_c",
            "clv": {"field": "Accounts.sp_clv_c", "type": "date"},
            "lifecycle_stage": {"field": "Accounts.sp_ls_c", "options": ["new", "active"]},
        }), traits=TRAITS, file="acme.yaml")
    problems = _problems(error)
    assert problems[0] == ("writeback.fields.lifecycle_stag: unknown trait 'lifecycle_stag' "
                           "(did you mean 'lifecycle_stage'?)")
    assert problems[1].startswith("writeback.fields.clv: a float trait cannot be written to a "
                                  "date field")
    assert problems[2] == ("writeback.fields.lifecycle_stage: options lack values the trait "
                           "takes: 'at_risk'")
    assert error.value.problems[0].file == "acme.yaml"


def test_fields_of_other_modules_than_the_customers_are_refused() -> None:
    with pytest.raises(ConfigError) as error:
        resolve_specs(_settings({"clv": "Contacts.sp_clv_c"}), traits=TRAITS,
                      customer_module="Accounts")
    assert "only be written to Accounts fields" in _problems(error)[0]


def test_two_traits_cannot_share_a_field() -> None:
    with pytest.raises(ConfigError) as error:
        resolve_specs(_settings({"clv": "Accounts.sp_x_c", "churn_risk": "Accounts.sp_x_c"}),
                      traits=TRAITS)
    assert _problems(error) == [
        "writeback.fields.churn_risk: Accounts.sp_x_c is already written by clv"]


def test_without_a_trait_registry_the_type_must_be_given() -> None:
    with pytest.raises(ConfigError) as error:
        resolve_specs(_settings({"clv": "Accounts.sp_clv_c"}), traits=None)
    assert "give the field's type" in _problems(error)[0]
    (spec,) = resolve_specs(_settings({"clv": {"field": "Accounts.sp_clv_c", "type": "decimal"}}),
                            traits=None)
    assert (spec.type, spec.precision) == (FieldType.DECIMAL, 2)


def test_mapping_schema_refuses_inconsistent_field_settings() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="options only apply to enum"):
        _settings({"clv": {"field": "Accounts.sp_clv_c", "type": "int", "options": ["a"]}})
    with pytest.raises(ValidationError, match="option keys"):
        _settings({"x": {"field": "Accounts.sp_x_c", "options": ["a,b"]}})
    with pytest.raises(ValidationError, match="core"):
        _settings({"clv": "Accounts.annual_revenue"})
