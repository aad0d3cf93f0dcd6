"""Lifecycle stages and the rows that record a customer's change of stage.

Default rules (thresholds from ``LifecycleSettings``), first match wins:

* never bought: ``engagement`` with an engaging interaction (e-mail, campaign or web, of
  positive engagement weight) in the last ``engaged_days`` (90), else ``reach``;
* bought: ``lapsed`` when the last purchase is more than ``lapsed_days`` (365) ago;
  ``decline`` when it is more than ``decline_days`` (180) ago, P(alive) is below
  ``decline_p_alive`` (0.3), or (with ``opt_out_is_decline``) the latest interaction is a
  negative one such as an unsubscribe; ``loyalty`` with at least ``loyalty_min_purchases`` (5)
  purchase occasions; ``retention`` with at least ``retention_min_purchases`` (2);
  else ``purchase``.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import numpy.typing as npt
import pandas as pd

from enrichment.settings import LifecycleSettings

__all__ = ["STAGES", "lifecycle_stages", "stage_changes"]

STAGES = ("reach", "engagement", "purchase", "retention", "loyalty", "decline", "lapsed")


def lifecycle_stages(
    purchase_count: npt.ArrayLike,
    days_since_last_purchase: npt.ArrayLike,
    days_since_last_interaction: npt.ArrayLike,
    p_alive: npt.ArrayLike,
    settings: LifecycleSettings,
    *,
    opted_out: npt.ArrayLike | None = None,
) -> npt.NDArray[np.object_]:
    """The stage of each customer (NaN days mean never).

    ``opted_out`` marks customers whose latest interaction weighs negative (none if None).
    """
    count = np.asarray(purchase_count, dtype=np.float64)
    signal = (np.zeros(count.shape, dtype=bool) if opted_out is None or
              not settings.opt_out_is_decline else np.asarray(opted_out, dtype=bool))
    since_purchase = np.asarray(days_since_last_purchase, dtype=np.float64)
    since_touch = np.asarray(days_since_last_interaction, dtype=np.float64)
    alive = np.asarray(p_alive, dtype=np.float64)
    bought = count > 0
    recent_touch = np.nan_to_num(since_touch, nan=np.inf) <= settings.engaged_days
    idle = np.nan_to_num(since_purchase, nan=0.0)
    conditions = [
        ~bought & recent_touch,
        ~bought,
        idle > settings.lapsed_days,
        (idle > settings.decline_days) | (alive < settings.decline_p_alive) | signal,
        count >= settings.loyalty_min_purchases,
        count >= settings.retention_min_purchases,
    ]
    choices = ["engagement", "reach", "lapsed", "decline", "loyalty", "retention"]
    return np.asarray(np.select(conditions, choices, default="purchase"), dtype=object)


def stage_changes(previous: pd.DataFrame, current: pd.DataFrame, *,
                  changed_at: datetime) -> pd.DataFrame:
    """Rows ``customer_id, from_stage, to_stage, changed_at`` for every change of stage.

    ``previous`` and ``current`` have columns ``customer_id`` and ``stage``; a customer new
    in ``current`` gets a row with ``from_stage`` None; customers missing from ``current``
    and customers whose stage is the same get none.
    """
    merged = current[["customer_id", "stage"]].merge(
        previous[["customer_id", "stage"]], on="customer_id", how="left",
        suffixes=("", "_previous"))
    changed = merged["stage"].ne(merged["stage_previous"]) | merged["stage_previous"].isna()
    rows = merged.loc[changed].reset_index(drop=True)
    before = rows["stage_previous"]
    return pd.DataFrame({
        "customer_id": rows["customer_id"],
        "from_stage": pd.Series(before.to_numpy(dtype=object), dtype=object).where(
            before.notna(), None),
        "to_stage": rows["stage"],
        "changed_at": pd.Series(pd.Timestamp(changed_at), index=rows.index),
    })
