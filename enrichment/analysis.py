"""The value models on a transaction export: what ``suitepulse analyze`` computes.

The per-customer columns come from ``customer_model.model_customers``, the function the
enrich step of a run uses too, so a customer gets the same numbers from both.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from enrichment.backtest import Backtest
from enrichment.customer_model import ValueModelReport, model_customers
from enrichment.errors import EnrichmentError
from enrichment.lifecycle import lifecycle_stages
from enrichment.rfm import rfm_segments
from enrichment.settings import DEFAULT_RFM_GRID, LifecycleSettings, ValueModelSettings
from enrichment.summary import epoch_ns

__all__ = ["Analysis", "analyze_transactions"]


@dataclass(frozen=True)
class Analysis:
    """One row per customer, the value model's report, its backtests and the end used."""

    customers: pd.DataFrame
    report: ValueModelReport
    backtests: list[Backtest]
    end: pd.Timestamp


def analyze_transactions(transactions: pd.DataFrame, settings: ValueModelSettings, *,
                         end: pd.Timestamp | None = None,
                         compare_all: bool = False) -> Analysis:
    """Fit the value models on ``customer_id, occurred_at, amount`` rows and predict.

    ``end`` (UTC) closes the observation period (the ``as_of`` of a run); transactions after
    it are ignored. The default is the last transaction.
    """
    ns = epoch_ns(transactions["occurred_at"])
    end_ns = int(ns.max()) if end is None else int(end.value)
    if not (ns <= end_ns).any():
        raise EnrichmentError("every transaction is after the end of the observation period",
                              hint="choose a later --end")
    stamp = pd.Timestamp(end_ns, tz="UTC")
    fitted = model_customers(transactions["customer_id"].to_numpy(),
                             transactions["occurred_at"], transactions["amount"],
                             as_of=stamp, settings=settings, compare_all=compare_all)
    summary = fitted.summary
    if not len(summary):
        raise EnrichmentError("no purchases: every amount is negative (refunds only)")
    value, bands = fitted.value, fitted.bands
    nan = np.full(len(summary), np.nan)
    avg = value.expected_avg_value
    frame = pd.DataFrame({
        "customer_id": summary.customer,
        "frequency": summary.frequency.astype(np.int64),
        "recency": summary.recency,
        "T": summary.T,
        "monetary_value": summary.monetary_value,
        "historical_value": summary.total_value,
        "days_since_last_purchase": fitted.days_since,
        "expected_purchases": value.expected_purchases,
        "p_alive": value.p_alive,
        "p_alive_p10": nan if bands is None else bands.p_alive_p10,
        "p_alive_p90": nan if bands is None else bands.p_alive_p90,
        "churn_risk": value.churn_risk,
        "expected_avg_value": avg,
        "clv": value.clv,
        "clv_p10": nan if bands is None else bands.discounted_p10 * avg,
        "clv_p90": nan if bands is None else bands.discounted_p90 * avg,
        "r_score": fitted.r_score,
        "f_score": fitted.f_score,
        "m_score": fitted.m_score,
        "segment": rfm_segments(fitted.r_score, fitted.f_score, fitted.m_score,
                                DEFAULT_RFM_GRID),
        "lifecycle_stage": lifecycle_stages(summary.occasions, fitted.days_since,
                                            np.full(len(summary), np.nan), value.p_alive,
                                            LifecycleSettings()),
    })
    return Analysis(frame, fitted.report, fitted.backtests, stamp)
