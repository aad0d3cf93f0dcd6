"""Engagement score 0-100 from recency-weighted e-mail, campaign and web interactions.

Each interaction at age t days (before the computation date) weighs
``w(channel, kind) * 0.5 ** (t / half_life_days)``, where ``w`` comes from the per channel
and kind table of ``EngagementSettings.weights`` (a kind it does not name takes the
channel's weight): replies above received mail above sent mail, clicks above opens, goals
and orders above visits; bounces and unsubscribes are negative. With S the sum per customer,
``engagement_score = 100 * (1 - exp(-max(S, 0) / saturation))``. Interactions in the future
are ignored; a customer without interactions scores 0.

An interaction is *engaging* when its weight is positive: only engaging interactions make a
customer look engaged (``last_interaction_date``, the lifecycle's engagement stage), and a
customer whose latest interaction is negative (an unsubscribe) sends a churn signal.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from enrichment.settings import EngagementSettings
from enrichment.summary import epoch_ns

__all__ = ["engagement_scores", "interaction_weights", "latest_is_negative"]

_NS_PER_DAY = 86_400 * 10**9
_SEPARATOR, _NO_KIND = "\x1f", "\x00"


def interaction_weights(interactions: pd.DataFrame,
                        settings: EngagementSettings) -> npt.NDArray[np.float64]:
    """The weight of each row by its ``channel`` and ``kind`` (``kind`` may be missing)."""
    channel = interactions["channel"].astype("string").fillna("")
    kind = (interactions["kind"].astype("string").fillna(_NO_KIND)
            if "kind" in interactions.columns else _NO_KIND)
    codes, pairs = pd.factorize(channel + _SEPARATOR + kind)
    table = np.empty(len(pairs) + 1, dtype=np.float64)
    for code, pair in enumerate(pairs):  # one lookup per distinct (channel, kind)
        name, _, what = str(pair).partition(_SEPARATOR)
        table[code] = settings.weight(name, None if what == _NO_KIND else what)
    table[-1] = 0.0  # factorize gives -1 to missing values
    return table[codes]


def engagement_scores(interactions: pd.DataFrame, settings: EngagementSettings,
                      as_of_ns: int) -> pd.Series:
    """Score per ``customer_id`` (only customers with interactions appear); interactions
    after ``as_of`` (today's, under the day clock) count as made at ``as_of``."""
    if interactions.empty:
        return pd.Series(dtype=np.float64)
    age_days = np.maximum((as_of_ns - epoch_ns(interactions["occurred_at"])) / _NS_PER_DAY, 0)
    weights = interaction_weights(interactions, settings)
    weighted = weights * np.power(0.5, age_days / settings.half_life_days)
    total = pd.Series(weighted).groupby(interactions["customer_id"].to_numpy()).sum()
    return pd.Series(100.0 * (1.0 - np.exp(-np.maximum(total.to_numpy(), 0.0)
                                           / settings.saturation)),
                     index=total.index)


def latest_is_negative(interactions: pd.DataFrame, settings: EngagementSettings) -> pd.Series:
    """Per ``customer_id``: whether the latest interaction weighs less than zero."""
    if interactions.empty:
        return pd.Series(dtype=bool)
    frame = pd.DataFrame({"customer_id": interactions["customer_id"].to_numpy(),
                          "at": epoch_ns(interactions["occurred_at"]),
                          "weight": interaction_weights(interactions, settings)})
    last = frame.sort_values(["customer_id", "at", "weight"], kind="stable").groupby(
        "customer_id").tail(1)
    return pd.Series(last["weight"].to_numpy() < 0, index=last["customer_id"].to_numpy())
