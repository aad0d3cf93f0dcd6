"""``analyze`` and the enrich step give the same customer the same traits; the value model
behind them is trusted only with enough data, and a lapsed one-time buyer is at risk."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest

from enrichment import EnrichmentSettings, enrich_customers
from enrichment.analysis import analyze_transactions
from enrichment.customer_model import VALUE_TRAITS
from enrichment.settings import TimeUnit, ValueModelSettings
from tests.unit.enrichment.btyd_simulation import transactions

AS_OF = datetime(2023, 7, 3, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def bought() -> pd.DataFrame:
    rows = transactions("mbgnbd", (0.5, 6.0, 0.7, 2.0), 900, 78, seed=11)
    return rows.loc[rows["occurred_at"] <= AS_OF].reset_index(drop=True)


@pytest.fixture(scope="module")
def settings() -> EnrichmentSettings:
    return EnrichmentSettings(value_model=ValueModelSettings(time_unit=TimeUnit.WEEK,
                                                             interval_draws=40))


def test_analyze_and_enrich_give_the_same_traits(bought: pd.DataFrame,
                                                 settings: EnrichmentSettings) -> None:
    customers = pd.DataFrame({"id": sorted(bought["customer_id"].unique())})
    enriched = enrich_customers(customers, bought, pd.DataFrame(
        {"customer_id": [], "occurred_at": [], "channel": []}), settings, as_of=AS_OF)
    analysed = analyze_transactions(bought, settings.value_model,
                                    end=pd.Timestamp(AS_OF))
    run = enriched.traits.set_index("id")
    cli = analysed.customers.set_index("customer_id").loc[run.index]
    assert enriched.value_model.model == analysed.report.model
    assert enriched.value_model.written and analysed.report.written
    fit = enriched.value_model.as_dict()  # the CLV's terms, kept with the fit for the report
    assert (fit["horizon_days"], fit["annual_discount_rate"]) == (
        settings.value_model.horizon_days, settings.value_model.annual_discount_rate)
    for name in ("r_score", "f_score", "m_score", "days_since_last_purchase"):
        assert (run[name].to_numpy() == cli[name].to_numpy()).all(), name
    assert (run["rfm_segment"].to_numpy() == cli["segment"].to_numpy()).all()
    for name, places in (("p_alive", 3), ("churn_risk", 3), ("expected_purchases", 3),
                         ("clv", 2), ("clv_p10", 2), ("clv_p90", 2)):
        assert np.allclose(run[name], cli[name].round(places), atol=10.0 ** -places), name


def test_a_one_time_buyer_gone_a_year_is_at_risk(bought: pd.DataFrame,
                                                 settings: EnrichmentSettings) -> None:
    customers = pd.DataFrame({"id": sorted(bought["customer_id"].unique())})
    result = enrich_customers(customers, bought, pd.DataFrame(
        {"customer_id": [], "occurred_at": [], "channel": []}), settings, as_of=AS_OF)
    assert result.value_model.model in {"mbgnbd", "pnbd"}
    traits = result.traits.set_index("id")
    lapsed_once = traits[(traits["purchase_count"] == 1)
                         & (traits["days_since_last_purchase"] > 365)]
    assert len(lapsed_once) > 10
    assert (lapsed_once["churn_risk"] > 0.2).all()


def test_too_few_repeat_buyers_leave_value_traits_empty_with_the_reason(
        bought: pd.DataFrame) -> None:
    few = bought.loc[bought["customer_id"].isin([f"c{i}" for i in range(120)])]
    customers = pd.DataFrame({"id": sorted(few["customer_id"].unique())})
    result = enrich_customers(customers, few, pd.DataFrame(
        {"customer_id": [], "occurred_at": [], "channel": []}), EnrichmentSettings(),
        as_of=AS_OF)
    report = result.value_model.as_dict()
    assert report["value_traits_written"] is False
    assert any("repeat buyers (min_repeat_buyers is 100)" in r for r in report["reasons"])
    for name in VALUE_TRAITS:
        assert result.traits[name].isna().all(), name
    assert result.traits["r_score"].between(1, 5).all()
    assert result.traits["lifecycle_stage"].notna().all()
