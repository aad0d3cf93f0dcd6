"""Lifecycle stages, stage changes, engagement score and potential value by hand."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from enrichment.engagement import engagement_scores
from enrichment.lifecycle import lifecycle_stages, stage_changes
from enrichment.potential import potential_values
from enrichment.settings import EngagementSettings, LifecycleSettings

NAN = float("nan")


def test_default_stages() -> None:
    stages = lifecycle_stages(
        purchase_count=[0, 0, 1, 2, 6, 3, 3, 2],
        days_since_last_purchase=[NAN, NAN, 10, 10, 10, 200, 400, 10],
        days_since_last_interaction=[5, 100, NAN, NAN, NAN, NAN, NAN, NAN],
        p_alive=[0, 0, 1, 0.9, 0.9, 0.9, 0.9, 0.1],
        settings=LifecycleSettings(),
    )
    assert list(stages) == ["engagement", "reach", "purchase", "retention", "loyalty",
                            "decline", "lapsed", "decline"]


def test_overridden_thresholds() -> None:
    settings = LifecycleSettings(loyalty_min_purchases=3, decline_days=30, lapsed_days=60,
                                 engaged_days=7, decline_p_alive=0.0)
    stages = lifecycle_stages([3, 2, 2, 0], [10, 45, 90, NAN], [NAN, NAN, NAN, 8],
                              [0.5, 0.5, 0.5, 0], settings)
    assert list(stages) == ["loyalty", "decline", "lapsed", "reach"]
    with pytest.raises(ValidationError, match="lapsed_days must be greater"):
        LifecycleSettings(decline_days=100, lapsed_days=50)


def test_stage_changes_are_rows_for_new_and_changed_customers() -> None:
    previous = pd.DataFrame({"customer_id": ["a", "b", "gone"],
                             "stage": ["purchase", "loyalty", "reach"]})
    current = pd.DataFrame({"customer_id": ["a", "b", "new"],
                            "stage": ["retention", "loyalty", "reach"]})
    when = datetime(2024, 6, 30, tzinfo=UTC)
    rows = stage_changes(previous, current, changed_at=when)
    assert rows.to_dict("records") == [
        {"customer_id": "a", "from_stage": "purchase", "to_stage": "retention",
         "changed_at": pd.Timestamp(when)},
        {"customer_id": "new", "from_stage": None, "to_stage": "reach",
         "changed_at": pd.Timestamp(when)},
    ]
    assert stage_changes(current, current, changed_at=when).empty


def test_engagement_score_by_hand() -> None:
    as_of = pd.Timestamp("2024-03-31", tz="UTC")
    interactions = pd.DataFrame({
        "customer_id": ["a", "a", "b", "c"],
        "occurred_at": pd.to_datetime(["2024-03-31", "2024-03-01", "2024-03-31",
                                       "2024-05-01"], utc=True),
        "channel": ["email", "web", "campaign", "web"],
    })
    settings = EngagementSettings(half_life_days=30, saturation=5)
    scores = engagement_scores(interactions, settings, as_of.value)
    a = 1.0 + 1.0 * 0.5 ** (30 / 30)
    assert scores["a"] == pytest.approx(100 * (1 - math.exp(-a / 5)))
    assert scores["b"] == pytest.approx(100 * (1 - math.exp(-0.5 / 5)))
    # after as_of (today, under the day clock): counted as made at as_of, at full weight
    assert scores["c"] == pytest.approx(100 * (1 - math.exp(-1.0 / 5)))


def test_potential_value_is_the_gap_to_the_group_percentile() -> None:
    clv = np.array([0.0, 10.0, 20.0, 30.0, 40.0, 100.0, 5.0])
    group = np.array([1, 1, 1, 1, 1, 2, 2])
    gaps = potential_values(clv, group, 50)
    assert list(gaps) == [20.0, 10.0, 0.0, 0.0, 0.0, 0.0, 47.5]
