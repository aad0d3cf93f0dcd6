"""Purchase summaries per customer: the recency/frequency/monetary inputs of the models.

Rows are grouped into purchase occasions by ``Granularity`` (the same customer and the same
day, hour or exact timestamp); an occasion's value is the sum of its rows, so a refund on the
day of its purchase nets off. An occasion made only of refunds (negative amounts) is not a
purchase; its amount still lowers the customer's historical value. Following the BTYD
convention: ``frequency`` counts repeat occasions (occasions - 1), ``recency`` is last - first
occasion, ``T`` is end - first occasion (in the time unit), and ``monetary_value`` is the mean
value of the repeat occasions (0 without repeats). Rows after ``end`` are ignored.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from enrichment.settings import Granularity, TimeUnit

__all__ = [
    "NS_PER_UNIT", "PurchaseSummary", "epoch_ns", "floor_times", "summarize_purchases",
]

FloatArray = npt.NDArray[np.float64]
_NS_PER_DAY = 86_400 * 10**9
NS_PER_UNIT = {TimeUnit.DAY: _NS_PER_DAY, TimeUnit.WEEK: 7 * _NS_PER_DAY}
_NS_PER_PERIOD = {Granularity.DAY: _NS_PER_DAY, Granularity.HOUR: 3600 * 10**9,
                  Granularity.EXACT: 1}


@dataclass(frozen=True)
class PurchaseSummary:
    """One entry per customer with at least one purchase occasion (arrays aligned)."""

    customer: npt.NDArray[np.object_]
    occasions: npt.NDArray[np.int64]
    frequency: FloatArray
    recency: FloatArray
    T: FloatArray
    monetary_value: FloatArray
    first_value: FloatArray
    total_value: FloatArray
    first_at: npt.NDArray[np.datetime64]
    last_at: npt.NDArray[np.datetime64]

    def __len__(self) -> int:
        return int(self.customer.size)


def floor_times(ns: npt.NDArray[np.int64], granularity: Granularity) -> npt.NDArray[np.int64]:
    """Epoch nanoseconds floored to the start of their day or hour (unchanged for exact)."""
    step = _NS_PER_PERIOD[granularity]
    return ns if step == 1 else (ns // step) * step


def summarize_purchases(
    customer: npt.ArrayLike,
    occurred_at: npt.ArrayLike,
    amount: npt.ArrayLike,
    *,
    end: pd.Timestamp,
    granularity: Granularity,
    time_unit: TimeUnit,
) -> PurchaseSummary:
    """Summarise transactions (customer key, UTC time, amount) observed up to ``end``."""
    ns = epoch_ns(occurred_at)
    values = np.nan_to_num(np.asarray(amount, dtype=np.float64), nan=0.0)
    end_ns = int(_utc(end).value)
    keep = ns <= end_ns
    codes, keys = pd.factorize(np.asarray(customer, dtype=object)[keep]
                               if not keep.all() else np.asarray(customer))
    ns, values = ns[keep], values[keep]
    period = floor_times(ns, granularity)
    order = np.lexsort((period, codes))
    codes, period, values = codes[order], period[order], values[order]
    purchase_row = values >= 0

    starts = _starts(codes, period)
    occ_code, occ_period = codes[starts], period[starts]
    occ_value = np.add.reduceat(values, starts) if starts.size else np.empty(0)
    occ_is_purchase = (np.logical_or.reduceat(purchase_row, starts) if starts.size
                       else np.empty(0, dtype=bool))
    row_total = np.bincount(codes, weights=values, minlength=len(keys))

    occ_code, occ_period, occ_value = (occ_code[occ_is_purchase], occ_period[occ_is_purchase],
                                       occ_value[occ_is_purchase])
    first = _starts(occ_code, None)
    n_occ = np.diff(np.append(first, occ_code.size))
    last = first + n_occ - 1
    cust = occ_code[first]
    unit = float(NS_PER_UNIT[time_unit])
    end_period = int(floor_times(np.array([end_ns]), granularity)[0])
    first_period, last_period = occ_period[first], occ_period[last]
    value_sum = np.add.reduceat(occ_value, first) if first.size else np.empty(0)
    frequency = (n_occ - 1).astype(np.float64)
    repeat_sum = value_sum - occ_value[first]
    monetary = np.divide(repeat_sum, frequency, out=np.zeros_like(repeat_sum),
                         where=frequency > 0)
    return PurchaseSummary(
        customer=np.asarray(keys, dtype=object)[cust],
        occasions=n_occ.astype(np.int64),
        frequency=frequency,
        recency=(last_period - first_period) / unit,
        T=(end_period - first_period) / unit,
        monetary_value=monetary,
        first_value=occ_value[first],
        total_value=np.asarray(row_total[cust], dtype=np.float64),
        first_at=occ_period[first].astype("datetime64[ns]"),
        last_at=occ_period[last].astype("datetime64[ns]"),
    )


def epoch_ns(moments: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """UTC epoch nanoseconds of datetimes (naive ones are taken as UTC)."""
    index = pd.DatetimeIndex(pd.to_datetime(np.asarray(moments), utc=True))
    return np.asarray(index.as_unit("ns").asi8, dtype=np.int64)


def _starts(codes: npt.NDArray[np.intp], period: npt.NDArray[np.int64] | None
            ) -> npt.NDArray[np.intp]:
    """Indexes where a new (code[, period]) run begins in sorted arrays."""
    if not codes.size:
        return np.empty(0, dtype=np.intp)
    new = np.empty(codes.size, dtype=bool)
    new[0] = True
    new[1:] = codes[1:] != codes[:-1]
    if period is not None:
        new[1:] |= period[1:] != period[:-1]
    return np.flatnonzero(new)


def _utc(moment: pd.Timestamp) -> pd.Timestamp:
    stamp = pd.Timestamp(moment)
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
