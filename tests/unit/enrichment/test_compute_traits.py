"""``compute_traits`` end to end on small tables, with the edge cases users meet."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime

import numpy as np
import pandas as pd
import pytest

from enrichment import TRAITS, EnrichmentError, EnrichmentSettings, compute_traits, trait_specs
from enrichment.customer_model import VALUE_TRAITS
from enrichment.traits import TraitKind

AS_OF = datetime(2024, 6, 30, tzinfo=UTC)


def purchases(rows: list[tuple[str, str, float | None]]) -> pd.DataFrame:
    customer, when, amount = zip(*rows, strict=True) if rows else ((), (), ())
    return pd.DataFrame({"customer_id": list(customer),
                         "occurred_at": pd.to_datetime(list(when), utc=True),
                         "amount": list(amount), "record_id": [f"o{i}" for i in
                                                               range(len(rows))]})


def interactions(rows: list[tuple[str, str, str]] | None = None) -> pd.DataFrame:
    rows = rows or []
    customer, when, channel = zip(*rows, strict=True) if rows else ((), (), ())
    return pd.DataFrame({"customer_id": list(customer),
                         "occurred_at": pd.to_datetime(list(when), utc=True),
                         "channel": list(channel), "kind": ["x"] * len(rows)})


def traits(customers: list[str], bought: pd.DataFrame, touched: pd.DataFrame | None = None,
           settings: EnrichmentSettings | None = None, **fields: list[object]) -> pd.DataFrame:
    frame = pd.DataFrame({"id": customers, **fields})
    result = compute_traits(frame, bought, touched if touched is not None else interactions(),
                            settings or EnrichmentSettings(), as_of=AS_OF)
    return result.set_index("id")


def assert_all_finite(result: pd.DataFrame) -> None:
    """Every number is finite; value traits are either all empty (not trusted) or finite."""
    for name, spec in TRAITS.items():
        if spec.kind in (TraitKind.INT, TraitKind.FLOAT) and name != "days_since_last_purchase":
            values = result[name].to_numpy(dtype=float)
            # value traits when the model is not trusted, the trend without an earlier run
            if name in (*VALUE_TRAITS, "clv_change_90d") and np.isnan(values).all():
                continue
            assert np.all(np.isfinite(values)), name


def assert_value_traits_empty(result: pd.DataFrame) -> None:
    for name in VALUE_TRAITS:
        assert result[name].isna().all(), name


def test_columns_are_the_registry() -> None:
    result = traits(["a"], purchases([("a", "2024-01-01", 10.0)]))
    assert list(result.reset_index().columns) == ["id", *TRAITS]


def test_hand_checked_customer() -> None:
    result = traits(
        ["a", "b", "p"],
        purchases([("a", "2024-01-01", 100.0), ("a", "2024-03-01", 50.0),
                   ("a", "2024-05-31", 90.0), ("b", "2023-01-01", 20.0)]),
        interactions([("p", "2024-06-29", "email"), ("a", "2024-06-30", "web")]))
    a = result.loc["a"]
    assert a["purchase_count"] == 3
    assert a["first_purchase_date"] == date(2024, 1, 1)
    assert a["last_purchase_date"] == date(2024, 5, 31)
    assert a["days_since_last_purchase"] == 30
    assert a["historical_value"] == 240.0
    assert a["avg_order_value"] == 80.0
    assert a["last_interaction_date"] == date(2024, 6, 30)
    assert a["engagement_score"] == pytest.approx(100 * (1 - math.exp(-1 / 5)), abs=0.05)
    assert a["lifecycle_stage"] == "retention"
    assert a["rfm_score"] == "444"                 # the better of two buyers: mid-rank 1.5/2
    assert a["rfm_segment"] == "Loyal"
    assert result.loc["b", "rfm_score"] == "222"
    assert result.loc["b", "lifecycle_stage"] == "lapsed"
    assert_value_traits_empty(result)           # one repeat buyer: no value model to trust
    prospect = result.loc["p"]
    assert (prospect["purchase_count"], prospect["rfm_segment"], prospect["lifecycle_stage"]
            ) == (0, "Prospect", "engagement")
    assert pd.isna(prospect["days_since_last_purchase"])
    assert_all_finite(result)


def test_one_customer_with_one_purchase() -> None:
    result = traits(["a"], purchases([("a", "2024-06-01", 25.0)]))
    row = result.loc["a"]
    assert row["rfm_score"] == "333"
    assert_value_traits_empty(result)
    assert row["lifecycle_stage"] == "purchase"
    assert_all_finite(result)


def test_all_purchases_on_the_same_day() -> None:
    result = traits(["a", "b", "c"], purchases([("a", "2024-06-01", 10.0),
                                                ("a", "2024-06-01", 5.0),
                                                ("b", "2024-06-01", 20.0),
                                                ("c", "2024-06-01", 30.0)]))
    assert list(result["purchase_count"]) == [1, 1, 1]
    assert list(result["r_score"]) == [3, 3, 3]
    assert list(result["f_score"]) == [3, 3, 3]
    assert list(result["historical_value"]) == [15.0, 20.0, 30.0]
    assert_all_finite(result)


def test_zero_negative_refund_future_and_missing_values() -> None:
    bought = purchases([("a", "2024-01-01", 0.0), ("a", "2024-02-01", 100.0),
                        ("a", "2024-02-01", -40.0), ("a", "2024-03-01", -10.0),
                        ("a", "2024-09-01", 500.0),                  # after as_of
                        ("b", "2024-04-01", None),                   # missing amount
                        ("r", "2024-04-01", -15.0),                  # refund only
                        ("ghost", "2024-04-01", 99.0)])              # unknown customer
    bought.loc[len(bought)] = [None, pd.Timestamp("2024-01-01", tz="UTC"), 5.0, "x"]
    bought.loc[len(bought)] = ["a", pd.NaT, 5.0, "y"]
    result = traits(["a", "b", "r"], bought)
    assert result.loc["a", "purchase_count"] == 2
    assert result.loc["a", "historical_value"] == 50.0
    assert result.loc["a", "last_purchase_date"] == date(2024, 2, 1)
    assert result.loc["b", "purchase_count"] == 1
    assert result.loc["b", "historical_value"] == 0.0
    assert result.loc["r", "purchase_count"] == 0
    assert result.loc["r", "historical_value"] == -15.0
    assert result.loc["r", "rfm_segment"] == "Prospect"
    assert_all_finite(result)


def test_no_purchases_at_all_and_no_customers() -> None:
    result = traits(["a", "b"], purchases([]))
    assert list(result["lifecycle_stage"]) == ["reach", "reach"]
    assert_all_finite(result)
    assert compute_traits(pd.DataFrame({"id": []}), purchases([]), interactions(),
                          EnrichmentSettings(), as_of=AS_OF).empty


def test_rule_segments_see_record_fields_traits_and_age() -> None:
    settings = EnrichmentSettings.model_validate({"segments": [
        {"name": "Adult buyers", "rule": {"all": [{"field": "age", "gte": 18},
                                                  {"field": "purchase_count", "gte": 1}]}},
        {"name": "Berlin", "rule": {"field": "primary_address_city", "equals": "berlin"}},
    ]})
    result = traits(["a", "b", "c"], purchases([("a", "2024-01-01", 1.0),
                                                ("b", "2024-01-01", 1.0)]),
                    settings=settings, birthdate=["1990-01-01", "2015-01-01", None],
                    primary_address_city=["Berlin", "Berlin", "Rome"])
    assert list(result["rule_segment"]) == ["Adult buyers", "Berlin", None]
    assert list(result["rule_segments"]) == ["Adult buyers, Berlin", "Berlin", ""]
    specs = trait_specs(settings)
    assert specs["rule_segment"].options == ("Adult buyers", "Berlin")


def test_missing_columns_and_duplicate_ids_are_clear_errors() -> None:
    with pytest.raises(EnrichmentError, match="no column 'amount'"):
        compute_traits(pd.DataFrame({"id": ["a"]}),
                       purchases([]).drop(columns="amount"), interactions(),
                       EnrichmentSettings(), as_of=AS_OF)
    with pytest.raises(EnrichmentError, match="appears twice") as info:
        traits(["a", "b", "a"], purchases([]))
    assert info.value.row == 3


def test_traits_registry_describes_every_trait() -> None:
    for name, spec in TRAITS.items():
        assert spec.description, name
        if spec.kind is TraitKind.FLOAT:
            assert spec.precision is not None, name
    assert "Champions" in TRAITS["rfm_segment"].options
    assert TRAITS["lifecycle_stage"].options == ("reach", "engagement", "purchase",
                                                 "retention", "loyalty", "decline", "lapsed")
