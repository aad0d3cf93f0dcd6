"""A calibration/hold-out split of a purchase history: the data of every model check.

The calibration period ends ``holdout`` before the end of observation; its cohort is the
customers with a purchase in it. For each of them: the calibration summary, the summary of
the whole period (same customers, end of observation as end), the repeat purchases made in
the hold-out (``actual``), and the naive forecast "the same as in the period of the same
length just before" (``naive``: repeat purchases in that period).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from enrichment.settings import Granularity, TimeUnit
from enrichment.summary import (
    NS_PER_UNIT,
    PurchaseSummary,
    epoch_ns,
    floor_times,
    summarize_purchases,
)

__all__ = ["HoldoutSplit", "split_history"]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class HoldoutSplit:
    """The split; arrays are aligned with ``calibration`` (one entry per cohort customer)."""

    calibration: PurchaseSummary
    full_x: FloatArray
    full_t_x: FloatArray
    full_T: FloatArray
    actual: FloatArray
    naive: FloatArray
    length: float
    calibration_end: pd.Timestamp
    end: pd.Timestamp
    weekly_actual: FloatArray
    week_ends: FloatArray

    @property
    def customers(self) -> int:
        """How many customers the split has."""
        return len(self.calibration)


def split_history(customer: npt.ArrayLike, occurred_at: npt.ArrayLike, amount: npt.ArrayLike,
                  *, end: pd.Timestamp, holdout: pd.Timedelta, granularity: Granularity,
                  time_unit: TimeUnit) -> HoldoutSplit | None:
    """The split with a hold-out of ``holdout`` before ``end``; None without a cohort."""
    cut = end - holdout
    calibration = summarize_purchases(customer, occurred_at, amount, end=cut,
                                      granularity=granularity, time_unit=time_unit)
    if not len(calibration):
        return None
    keys = pd.Index(calibration.customer)
    mask = keys.get_indexer(pd.Index(np.asarray(customer, dtype=object))) >= 0
    rows = (np.asarray(customer, dtype=object)[mask], np.asarray(occurred_at)[mask],
            np.asarray(amount, dtype=np.float64)[mask])
    full = summarize_purchases(*rows, end=end, granularity=granularity, time_unit=time_unit)
    at = pd.Index(full.customer).get_indexer(keys)
    before = summarize_purchases(*rows, end=cut - holdout, granularity=granularity,
                                 time_unit=time_unit)
    earlier = pd.Index(before.customer).get_indexer(keys)
    x_before = (before.frequency[np.maximum(earlier, 0)] if len(before)
                else np.zeros(len(calibration)))
    naive = calibration.frequency - np.where(earlier >= 0, x_before, 0.0)
    stamps = np.array([end.value, cut.value], dtype=np.int64)
    ends = floor_times(stamps, granularity)
    length = float(ends[0] - ends[1]) / NS_PER_UNIT[time_unit]
    weekly, week_ends = _weekly(rows, ends[1], ends[0], granularity, time_unit)
    return HoldoutSplit(
        calibration=calibration, full_x=full.frequency[at], full_t_x=full.recency[at],
        full_T=full.T[at], actual=full.frequency[at] - calibration.frequency,
        naive=np.asarray(naive, dtype=np.float64), length=length,
        calibration_end=cut, end=end, weekly_actual=weekly, week_ends=week_ends)


def _weekly(rows: tuple[npt.NDArray[np.object_], npt.NDArray[np.datetime64],
                        FloatArray], start: int, stop: int, granularity: Granularity,
            time_unit: TimeUnit) -> tuple[FloatArray, FloatArray]:
    """Cumulative hold-out occasions at the end of each week, and those ends in the unit."""
    customer, moments, amount = rows
    period = floor_times(epoch_ns(moments), granularity)
    later = (period > start) & (period <= stop) & (amount >= 0)
    occasions = pd.DataFrame({"c": customer[later], "p": period[later]}).drop_duplicates()
    week = 7 * NS_PER_UNIT[TimeUnit.DAY]
    weeks = max(int(np.ceil((stop - start) / week)), 1)
    index = np.minimum((occasions["p"].to_numpy() - start - 1) // week, weeks - 1)
    counts = np.bincount(index.astype(np.int64), minlength=weeks).astype(np.float64)
    ends = np.minimum(np.arange(1, weeks + 1) * week, stop - start) / NS_PER_UNIT[time_unit]
    return np.cumsum(counts), np.asarray(ends, dtype=np.float64)
