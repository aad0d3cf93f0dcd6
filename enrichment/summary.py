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
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from enrichment.mle import Grouped, group_rows
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

    @cached_property
    def groups(self) -> Grouped:
        """Identical (frequency, recency, T) rows grouped (computed once)."""
        return group_rows(self.frequency, self.recency, self.T)


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
    """Summarise transactions (customer key, UTC time, amount) observed up to ``end``.

    Runs in O(n) passes plus one sort of an integer (customer, occasion) key per purchase row.
    """
    ns = epoch_ns(occurred_at)
    values = np.asarray(amount, dtype=np.float64)
    if np.isnan(values).any():
        values = np.nan_to_num(values, nan=0.0)
    end_ns = int(_utc(end).value)
    keep = ns <= end_ns
    codes, keys = _customer_codes(customer)
    if not keep.all():
        ns, values, codes = ns[keep], values[keep], codes[keep]
    period = floor_times(ns, granularity)
    period_index, period_values = _period_index(period, _NS_PER_PERIOD[granularity])
    width = max(int(period_values.size), 1)
    row_key = codes.astype(np.int64) * width + period_index
    purchase_row = values >= 0

    occasion_keys = np.sort(row_key[purchase_row])
    if occasion_keys.size:
        distinct = np.empty(occasion_keys.size, dtype=bool)
        distinct[0] = True
        distinct[1:] = occasion_keys[1:] != occasion_keys[:-1]
        occasion_keys = occasion_keys[distinct]
    in_occasion = purchase_row.copy()
    refunds = np.flatnonzero(~purchase_row)
    if refunds.size and occasion_keys.size:
        spot = np.minimum(np.searchsorted(occasion_keys, row_key[refunds]),
                          occasion_keys.size - 1)
        in_occasion[refunds] = occasion_keys[spot] == row_key[refunds]

    occ_code = occasion_keys // width
    occ_period = occasion_keys - occ_code * width
    first = _starts(occ_code)
    n_occ = np.diff(np.append(first, occ_code.size))
    last = first + n_occ - 1
    cust = occ_code[first]
    first_period_of = np.full(len(keys), -1, dtype=np.int64)
    first_period_of[cust] = occ_period[first]
    n_keys = len(keys)
    counted = values if refunds.size == 0 else np.where(in_occasion, values, 0.0)
    occasion_total = np.bincount(codes, weights=counted, minlength=n_keys)[cust]
    at_first = np.flatnonzero(period_index == first_period_of[codes])
    at_first = at_first[in_occasion[at_first]]
    first_value = np.bincount(codes[at_first], weights=values[at_first],
                              minlength=n_keys)[cust]
    row_total = np.bincount(codes, weights=values, minlength=n_keys)[cust]

    unit = float(NS_PER_UNIT[time_unit])
    end_period = int(floor_times(np.array([end_ns]), granularity)[0])
    first_at, last_at = period_values[occ_period[first]], period_values[occ_period[last]]
    frequency = (n_occ - 1).astype(np.float64)
    repeat_sum = np.asarray(occasion_total - first_value, dtype=np.float64)
    monetary = np.divide(repeat_sum, frequency, out=np.zeros_like(repeat_sum),
                         where=frequency > 0)
    return PurchaseSummary(
        customer=np.asarray(keys, dtype=object)[cust],
        occasions=n_occ.astype(np.int64),
        frequency=frequency,
        recency=(last_at - first_at) / unit,
        T=(end_period - first_at) / unit,
        monetary_value=monetary,
        first_value=first_value,
        total_value=np.asarray(row_total, dtype=np.float64),
        first_at=first_at.astype("datetime64[ns]"),
        last_at=last_at.astype("datetime64[ns]"),
    )


def _customer_codes(keys_in: npt.ArrayLike) -> tuple[npt.NDArray[np.intp], npt.NDArray[Any]]:
    """Dense integer codes and the key of each code (categorical and integer ids skip hashing)."""
    if isinstance(keys_in, pd.Series) and isinstance(keys_in.dtype, pd.CategoricalDtype):
        return (keys_in.cat.codes.to_numpy().astype(np.intp),
                keys_in.cat.categories.to_numpy(dtype=object))
    customer = np.asarray(keys_in)
    if customer.dtype.kind in "iu" and customer.size:
        low, high = int(customer.min()), int(customer.max())
        if high - low < 4 * customer.size + 1024:
            codes = np.asarray(customer - low, dtype=np.intp)
            return codes, np.arange(low, high + 1)
    codes, keys = pd.factorize(customer)
    return codes.astype(np.intp), np.asarray(keys)


def _period_index(period: npt.NDArray[np.int64], step: int
                  ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """An index of each period in a sorted array of periods, and that array.

    Days and hours are counted from the first one when that range is not much longer than
    the data; otherwise (exact timestamps) the index is the rank among distinct periods.
    """
    if not period.size:
        return period, period
    low, high = int(period.min()), int(period.max())
    if step > 1 and (high - low) // step <= 4 * period.size + 1024:
        span = (high - low) // step + 1
        return (period - low) // step, low + step * np.arange(span, dtype=np.int64)
    distinct = np.unique(period)
    step = int(np.gcd.reduce(np.diff(distinct))) if distinct.size > 1 else 1
    low = int(distinct[0])
    span = (int(distinct[-1]) - low) // step + 1
    if span <= 4 * distinct.size + 1024:
        return (period - low) // step, low + step * np.arange(span, dtype=np.int64)
    return np.searchsorted(distinct, period).astype(np.int64), distinct


def epoch_ns(moments: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """UTC epoch nanoseconds of datetimes (naive ones are taken as UTC)."""
    if isinstance(moments, pd.Series | pd.Index) and moments.dtype.kind == "M":
        stamps = pd.DatetimeIndex(moments)          # no per-value Timestamp objects
        stamps = stamps.tz_localize("UTC") if stamps.tz is None else stamps.tz_convert("UTC")
        return np.asarray(stamps.as_unit("ns").asi8, dtype=np.int64)
    index = pd.DatetimeIndex(pd.to_datetime(np.asarray(moments), utc=True))
    return np.asarray(index.as_unit("ns").asi8, dtype=np.int64)


def _starts(codes: npt.NDArray[np.int64]) -> npt.NDArray[np.intp]:
    """Indexes where a new run of equal codes begins in a sorted array."""
    if not codes.size:
        return np.empty(0, dtype=np.intp)
    new = np.empty(codes.size, dtype=bool)
    new[0] = True
    new[1:] = codes[1:] != codes[:-1]
    return np.flatnonzero(new)


def _utc(moment: pd.Timestamp) -> pd.Timestamp:
    stamp = pd.Timestamp(moment)
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
