"""Engagement score 0-100 from recency-weighted mail, campaign and web interactions.

Each interaction at age t days (before the computation date) weighs
``channel_weight * kind_weight * 0.5 ** (t / half_life_days)`` (kinds not listed weigh 1;
channels not listed, such as Mailchimp's ``audience`` membership rows, 0); with S the sum per
customer,
``engagement_score = 100 * (1 - exp(-S / saturation))``. Interactions in the future are
ignored; a customer without interactions scores 0.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from enrichment.settings import EngagementSettings
from enrichment.summary import epoch_ns

__all__ = ["engagement_scores", "engaging"]

_NS_PER_DAY = 86_400 * 10**9


def engagement_scores(interactions: pd.DataFrame, settings: EngagementSettings,
                      as_of_ns: int) -> pd.Series:
    """Score per ``customer_id`` (only customers with past interactions appear)."""
    if interactions.empty:
        return pd.Series(dtype=np.float64)
    age_days = (as_of_ns - epoch_ns(interactions["occurred_at"])) / _NS_PER_DAY
    weights = _weights(interactions, settings).to_numpy(float)
    weighted = weights * np.power(0.5, age_days / settings.half_life_days)
    past = age_days >= 0
    total = pd.Series(weighted[past]).groupby(
        interactions["customer_id"].to_numpy()[past]).sum()
    return pd.Series(100.0 * (1.0 - np.exp(-total.to_numpy() / settings.saturation)),
                     index=total.index)


def _weights(interactions: pd.DataFrame,
             settings: EngagementSettings) -> pd.Series:
    channel = interactions["channel"].map(settings.channel_weights).fillna(0.0)
    if "kind" in interactions.columns:
        channel = channel * interactions["kind"].map(settings.kind_weights).fillna(1.0)
    return channel


def engaging(interactions: pd.DataFrame, settings: EngagementSettings) -> pd.Series:
    """Which interactions are the customer's own doing: a known channel, a kind weighing > 0.

    Sends, bounces, unsubscribes and audience membership rows are not (they do not count as
    the last touch either).
    """
    known = interactions["channel"].isin(list(settings.channel_weights))
    if "kind" not in interactions.columns:
        return known
    return known & (interactions["kind"].map(settings.kind_weights).fillna(1.0) > 0)
