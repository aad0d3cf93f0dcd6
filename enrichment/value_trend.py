"""Value trend: how a customer's value and stage moved, from what earlier runs computed.

The traits of one run hold only the present; these three compare it with the past the state
store remembers (``Earlier``):

* ``clv_change_90d``: (CLV now - CLV 90 days ago) / CLV 90 days ago; empty when either is
  empty or the old CLV is 0 (no relative change of nothing);
* ``value_trend``: ``rising`` above ``+band``, ``falling`` below ``-band``, else ``stable``;
  empty with ``clv_change_90d``;
* ``stage_since``: the date the current lifecycle stage was first computed: kept while the
  stage stays, the computation date when it changes or is new.

Without an earlier run (``analyze``, a first run) the change and trend are empty and every
stage starts on the computation date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

__all__ = ["TREND_DAYS", "TREND_TRAITS", "VALUE_TRENDS", "Earlier", "value_trend_traits"]

TREND_DAYS = 90
"""How far back ``clv_change_90d`` looks."""

TREND_TRAITS = ("clv_change_90d", "value_trend", "stage_since")
VALUE_TRENDS = ("rising", "stable", "falling")


@dataclass(frozen=True)
class Earlier:
    """What earlier runs computed, by customer id: the CLV ``TREND_DAYS`` before the
    computation date, and the stored lifecycle stage with the date it began."""

    clv_then: pd.Series
    stage: pd.Series
    stage_since: pd.Series

    @classmethod
    def none(cls) -> Earlier:
        """No earlier run."""
        empty = pd.Series([], dtype=object)
        return cls(pd.Series([], dtype=float), empty, empty)


def value_trend_traits(ids: pd.Series, clv: pd.Series, stage: pd.Series, earlier: Earlier,
                       *, band: float, as_of: date) -> pd.DataFrame:
    """The three trend traits of ``ids`` (aligned with ``clv`` and ``stage``, by position)."""
    index = pd.Index(ids)
    then = pd.to_numeric(earlier.clv_then.reindex(index), errors="coerce").to_numpy(float)
    now = pd.to_numeric(pd.Series(clv), errors="coerce").to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        change = np.where(then > 0, (now - then) / then, np.nan)
    change[~np.isfinite(change)] = np.nan
    trend = pd.Series("stable", index=range(len(change)), dtype=object)
    trend[change > band] = "rising"
    trend[change < -band] = "falling"
    trend[np.isnan(change)] = None
    stages = pd.Series(stage).reset_index(drop=True).astype(object)
    known = stages.notna().to_numpy()
    kept = known & (earlier.stage.reindex(index).to_numpy(dtype=object) == stages.to_numpy())
    began = pd.Series(earlier.stage_since.reindex(index).to_numpy(dtype=object), dtype=object)
    since = pd.Series([None] * len(change), dtype=object)
    since[known] = as_of
    carried = kept & began.notna().to_numpy()
    since[carried] = began[carried]
    return pd.DataFrame({"clv_change_90d": change, "value_trend": trend, "stage_since": since})
