"""Value trend from earlier runs: the CLV change of 90 days, its direction, the stage's start."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from enrichment import enrich_customers
from enrichment.settings import EnrichmentSettings
from enrichment.value_trend import Earlier, value_trend_traits
from tests.unit.enrichment.btyd_simulation import transactions

TODAY = date(2026, 12, 1)
MAY = date(2026, 5, 4)


def _earlier(clv: dict[str, float | None], stage: dict[str, str],
             since: dict[str, date]) -> Earlier:
    return Earlier(pd.Series(clv, dtype=object), pd.Series(stage, dtype=object),
                   pd.Series(since, dtype=object))


def test_change_trend_and_stage_start_per_customer() -> None:
    ids = pd.Series(["up", "flat", "down", "was_zero", "new", "never_bought"])
    clv = pd.Series([150.0, 104.0, 50.0, 80.0, 70.0, None])
    stage = pd.Series(["loyalty", "retention", "decline", "purchase", "purchase", "reach"])
    earlier = _earlier({"up": 100.0, "flat": 100.0, "down": 100.0, "was_zero": 0.0},
                       {"up": "retention", "flat": "retention", "down": "decline",
                        "was_zero": "purchase", "never_bought": "reach"},
                       {"up": MAY, "flat": MAY, "down": MAY, "was_zero": MAY,
                        "never_bought": MAY})
    got = value_trend_traits(ids, clv, stage, earlier, band=0.1, as_of=TODAY).set_index(ids)
    assert got.loc["up", "clv_change_90d"] == 0.5
    assert list(got["value_trend"]) == ["rising", "stable", "falling", None, None, None]
    assert got.loc["flat", "clv_change_90d"] == 0.04
    assert pd.isna(got.loc["was_zero", "clv_change_90d"])  # no relative change of nothing
    # the stage that stayed keeps its start; a changed or new one starts today
    assert list(got["stage_since"]) == [TODAY, MAY, MAY, MAY, TODAY, MAY]


def test_without_an_earlier_run_there_is_no_trend_and_every_stage_starts_now() -> None:
    ids = pd.Series(["a", "b"])
    got = value_trend_traits(ids, pd.Series([10.0, 20.0]), pd.Series(["purchase", None]),
                             Earlier.none(), band=0.1, as_of=TODAY)
    assert got["clv_change_90d"].isna().all() and list(got["value_trend"]) == [None, None]
    assert list(got["stage_since"]) == [TODAY, None]


@given(then=st.floats(0.01, 1e6), now=st.floats(0, 1e6), band=st.floats(0.01, 2))
def test_the_trend_is_the_side_of_the_band_the_change_falls_on(
        then: float, now: float, band: float) -> None:
    got = value_trend_traits(pd.Series(["x"]), pd.Series([now]), pd.Series(["purchase"]),
                             _earlier({"x": then}, {}, {}), band=band, as_of=TODAY).iloc[0]
    change = (now - then) / then
    assert abs(got["clv_change_90d"] - change) <= 1e-9 * max(1.0, abs(change))
    expected = "rising" if change > band else "falling" if change < -band else "stable"
    assert got["value_trend"] == expected


def test_rule_segments_can_use_the_trend() -> None:
    as_of = datetime(2023, 7, 3, 12, 0, tzinfo=UTC)
    rows = transactions("mbgnbd", (0.5, 6.0, 0.7, 2.0), 400, 78, seed=11)
    bought = rows.loc[rows["occurred_at"] <= as_of].reset_index(drop=True)
    customers = pd.DataFrame({"id": sorted(bought["customer_id"].unique())})
    settings = EnrichmentSettings.model_validate({
        "value_model": {"time_unit": "week", "interval_draws": 0},
        "segments": [{"name": "Falling value",
                      "rule": {"field": "value_trend", "equals": "falling"}}]})
    # 90 days ago every second customer was worth far more than now, the others far less
    clv_then = {c: (1e9 if i % 2 else 1e-3) for i, c in enumerate(customers["id"])}
    traits = enrich_customers(customers, bought, pd.DataFrame(
        {"customer_id": [], "occurred_at": [], "channel": []}), settings, as_of=as_of,
        earlier=_earlier(clv_then, {}, {})).traits.set_index("id")
    valued = traits[traits["clv"] > 0]
    assert len(valued) > 100
    falling = valued["value_trend"] == "falling"
    assert set(valued.index[falling]) == {c for c in valued.index if clv_then[c] == 1e9}
    assert (valued.loc[falling, "rule_segment"] == "Falling value").all()
    assert valued.loc[~falling, "rule_segment"].isna().all()
