"""The value models on a transaction export: what ``suitepulse analyze`` computes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from enrichment.errors import EnrichmentError
from enrichment.lifecycle import lifecycle_stages
from enrichment.rfm import quintile_scores, rfm_segments
from enrichment.settings import (
    DEFAULT_RFM_GRID,
    Granularity,
    LifecycleSettings,
    TimeUnit,
)
from enrichment.summary import epoch_ns, floor_times, summarize_purchases
from enrichment.value import fit_models, params_document, predict_value

__all__ = ["Analysis", "analyze_transactions"]

_NS_PER_DAY = 86_400 * 10**9


@dataclass(frozen=True)
class Analysis:
    """One row per customer, the fitted parameters, and the observation end used."""

    customers: pd.DataFrame
    params: dict[str, Any]
    end: pd.Timestamp


def analyze_transactions(transactions: pd.DataFrame, *, horizon_days: int = 365,
                         time_unit: TimeUnit = TimeUnit.DAY,
                         granularity: Granularity = Granularity.EXACT,
                         end: pd.Timestamp | None = None,
                         annual_discount_rate: float = 0.10) -> Analysis:
    """Fit BG/NBD and Gamma-Gamma on ``customer_id, occurred_at, amount`` rows, predict.

    ``end`` (UTC) closes the observation period; transactions after it are ignored. The
    default is the last transaction.
    """
    ns = epoch_ns(transactions["occurred_at"])
    end_ns = int(ns.max()) if end is None else int(end.value)
    if not (ns <= end_ns).any():
        raise EnrichmentError("every transaction is after the end of the observation period",
                              hint="choose a later --end")
    stamp = pd.Timestamp(end_ns, tz="UTC")
    summary = summarize_purchases(transactions["customer_id"], transactions["occurred_at"],
                                  transactions["amount"], end=stamp,
                                  granularity=granularity, time_unit=time_unit)
    if not len(summary):
        raise EnrichmentError("no purchases: every amount is negative (refunds only)")
    models = fit_models(summary, time_unit)
    value = predict_value(models, summary, horizon_days=horizon_days,
                          annual_discount_rate=annual_discount_rate)
    end_period = int(floor_times(np.array([end_ns]), granularity)[0])
    since = (end_period - summary.last_at.astype(np.int64)) / _NS_PER_DAY
    r = quintile_scores(since, higher_is_better=False)
    f = quintile_scores(summary.occasions)
    m = quintile_scores(summary.total_value)
    frame = pd.DataFrame({
        "customer_id": summary.customer,
        "frequency": summary.frequency.astype(np.int64),
        "recency": summary.recency,
        "T": summary.T,
        "monetary_value": summary.monetary_value,
        "historical_value": summary.total_value,
        "expected_purchases": value.expected_purchases,
        "p_alive": value.p_alive,
        "churn_risk": value.churn_risk,
        "expected_avg_value": value.expected_avg_value,
        "clv": value.clv,
        "r_score": r,
        "f_score": f,
        "m_score": m,
        "segment": rfm_segments(r, f, m, DEFAULT_RFM_GRID),
        "lifecycle_stage": lifecycle_stages(summary.occasions, since,
                                            np.full(len(summary), np.nan), value.p_alive,
                                            LifecycleSettings()),
    })
    return Analysis(frame, params_document(models), stamp)
