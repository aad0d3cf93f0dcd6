"""Material change: number fields move by their min_change before they are rewritten; enum,
count and date fields on any change; the defaults and the mapping's own threshold."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from enrichment.traits import TRAITS
from sync.errors import ConfigError
from sync.settings import FieldType, WritebackSettings
from sync.writeback.fieldspec import resolve_specs
from sync.writeback.plan import plan_changes
from sync.writeback.threshold import is_material, parse_threshold


def _specs(**fields: object):  # type: ignore[no-untyped-def]
    return resolve_specs(WritebackSettings.model_validate({"fields": fields}), traits=TRAITS,
                         customer_module="Contacts")


def test_thresholds_read_as_absolute_or_relative() -> None:
    assert parse_threshold("2%") == parse_threshold("2 %")
    assert str(parse_threshold("2%")) == "2%" and str(parse_threshold(0.02)) == "0.02"
    for bad in ("two", "-1", "nan", "%"):
        with pytest.raises(ValueError, match="min_change"):
            parse_threshold(bad)


def test_relative_and_absolute_moves() -> None:
    two_percent, two_hundredths = parse_threshold("2%"), parse_threshold("0.02")
    assert not is_material(two_percent, Decimal("100.00"), Decimal("101.99"))
    assert is_material(two_percent, Decimal("100.00"), Decimal("102.00"))
    assert is_material(two_percent, Decimal("100.00"), Decimal("97.00"))
    assert not is_material(two_hundredths, Decimal("0.500"), Decimal("0.519"))
    assert is_material(two_hundredths, Decimal("0.500"), Decimal("0.480"))
    assert is_material(two_percent, None, Decimal("1")) and is_material(two_percent,
                                                                        Decimal("1"), None)
    assert is_material(None, Decimal("1.00"), Decimal("1.01"))


@given(st.decimals(-1e6, 1e6, places=2), st.decimals(-1e6, 1e6, places=2))
def test_no_threshold_means_any_change(old: Decimal, new: Decimal) -> None:
    assert is_material(None, old, new) is (old != new)


def test_defaults_per_trait_kind() -> None:
    specs = {s.trait: s for s in _specs(
        clv="Contacts.sp_clv_c", p_alive="Contacts.sp_p_c", purchase_count="Contacts.sp_n_c",
        lifecycle_stage="Contacts.sp_stage_c", last_purchase_date="Contacts.sp_last_c",
        historical_value="Contacts.sp_hist_c")}
    assert str(specs["clv"].min_change) == "2%"
    assert str(specs["p_alive"].min_change) == "0.02"
    for never_held_back in ("purchase_count", "lifecycle_stage", "last_purchase_date",
                            "historical_value"):
        assert specs[never_held_back].min_change is None
    assert specs["clv"].label == "Customer lifetime value"
    assert specs["p_alive"].label == "Probability active"
    assert specs["lifecycle_stage"].label == "Lifecycle stage"


def test_a_mapping_sets_its_own_threshold_and_label_but_not_on_enums() -> None:
    (clv,) = _specs(clv={"field": "Contacts.sp_clv_c", "min_change": "5%",
                         "label": "Wert (12 Monate)"})
    assert str(clv.min_change) == "5%" and clv.label == "Wert (12 Monate)"
    with pytest.raises(ConfigError, match="min_change applies to number traits"):
        _specs(lifecycle_stage={"field": "Contacts.sp_stage_c", "min_change": 1})
    with pytest.raises(ConfigError, match="not a number or a percentage"):
        _specs(clv={"field": "Contacts.sp_clv_c", "min_change": "lots"})


def test_small_moves_are_held_back_and_listed_big_ones_and_enums_written() -> None:
    specs = _specs(clv={"field": "Contacts.sp_clv_c", "precision": 2},
                   churn_risk={"field": "Contacts.sp_churn_c", "type": FieldType.DECIMAL,
                               "precision": 3},
                   lifecycle_stage="Contacts.sp_stage_c", purchase_count="Contacts.sp_n_c")
    current = [
        ("drift", {"sp_clv_c": "100.00", "sp_churn_c": "0.300", "sp_stage_c": "retention",
                   "sp_n_c": "4"}),
        ("moved", {"sp_clv_c": "100.00", "sp_churn_c": "0.300", "sp_stage_c": "retention",
                   "sp_n_c": "4"}),
        ("prospect", {"sp_clv_c": "0.00", "sp_churn_c": "0.000", "sp_stage_c": "reach",
                      "sp_n_c": "0"}),
    ]
    traits = {
        "drift": {"clv": 101.2, "churn_risk": 0.31, "lifecycle_stage": "retention",
                  "purchase_count": 4},
        "moved": {"clv": 103.0, "churn_risk": 0.35, "lifecycle_stage": "decline",
                  "purchase_count": 5},
        "prospect": {"clv": None, "churn_risk": None, "lifecycle_stage": "reach",
                     "purchase_count": 0},
    }
    plan = plan_changes(specs, current, traits)
    written = {c.record_id: c.attributes() for c in plan.changes}
    assert written == {
        "moved": {"sp_clv_c": 103.0, "sp_churn_c": 0.35, "sp_stage_c": "decline", "sp_n_c": 5},
        "prospect": {"sp_clv_c": "", "sp_churn_c": ""},  # undefined is empty, not 0
    }
    assert [(c.record_id, [f.field for f in c.changes]) for c in plan.below_threshold] == [
        ("drift", ["sp_clv_c", "sp_churn_c"])]
