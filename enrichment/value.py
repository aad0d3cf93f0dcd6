"""Customer value from a purchase summary: BG/NBD + Gamma-Gamma fit, predictions, CLV.

Discounted CLV over a horizon of H days, cut into K = max(1, round(H / 30.44)) monthly steps
t_k = k H / K:

    CLV = E[M | x, m] * sum_k (E[Y(t_k)] - E[Y(t_(k-1))]) / (1 + d) ^ (t_k / 365.25 days)

where E[Y(t)] is the BG/NBD expected number of purchases in the next t, E[M | x, m] the
Gamma-Gamma expected value per purchase and d the annual discount rate. Expected purchases
over the horizon are E[Y(H)] undiscounted; churn risk is 1 - P(alive).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from enrichment.bgnbd import BgNbdParams, fit_bgnbd, p_alive, purchases_if_alive
from enrichment.gamma_gamma import GammaGammaParams, expected_average_value, fit_gamma_gamma
from enrichment.mle import group_rows, single_threaded_blas
from enrichment.settings import TimeUnit
from enrichment.summary import PurchaseSummary

__all__ = ["CustomerValue", "FittedModels", "fit_models", "params_document", "predict_value"]

FloatArray = npt.NDArray[np.float64]
_DAYS_PER_UNIT = {TimeUnit.DAY: 1.0, TimeUnit.WEEK: 7.0}
_DAYS_PER_MONTH = 365.25 / 12


@dataclass(frozen=True)
class FittedModels:
    """The fitted models and the time unit their parameters are in."""

    bgnbd: BgNbdParams
    gamma_gamma: GammaGammaParams | None
    time_unit: TimeUnit


@dataclass(frozen=True)
class CustomerValue:
    """Per customer of the summary (aligned arrays), every value finite."""

    expected_purchases: FloatArray
    p_alive: FloatArray
    churn_risk: FloatArray
    expected_avg_value: FloatArray
    clv: FloatArray


def fit_models(summary: PurchaseSummary, time_unit: TimeUnit) -> FittedModels:
    """Fit BG/NBD on every buyer and Gamma-Gamma on repeat buyers with positive spend."""
    with single_threaded_blas():
        return FittedModels(
            bgnbd=fit_bgnbd(summary.frequency, summary.recency, summary.T,
                            grouped=summary.groups),
            gamma_gamma=fit_gamma_gamma(summary.frequency, summary.monetary_value),
            time_unit=time_unit,
        )


def predict_value(models: FittedModels, summary: PurchaseSummary, *, horizon_days: float,
                  annual_discount_rate: float) -> CustomerValue:
    """Expected purchases, P(alive), churn risk, expected value per purchase and CLV."""
    grouped = summary.groups
    gx, gt, gT = grouped.columns
    pairs = group_rows(gx, gT)
    px, pT = pairs.columns
    alive = p_alive(models.bgnbd, gx, gt, gT)
    unit_days = _DAYS_PER_UNIT[models.time_unit]
    steps = max(1, round(horizon_days / _DAYS_PER_MONTH))
    step_days = horizon_days / steps
    discounted = np.zeros_like(gx)
    previous = np.zeros_like(gx)
    for k in range(1, steps + 1):
        if_alive = purchases_if_alive(models.bgnbd, k * step_days / unit_days, px, pT)
        cumulative = _finite(np.maximum(if_alive[pairs.inverse] * alive, 0.0))
        cumulative = np.maximum(cumulative, previous)
        factor = (1.0 + annual_discount_rate) ** (-(k * step_days) / 365.25)
        discounted += (cumulative - previous) * factor
        previous = cumulative
    x = summary.frequency
    own_mean = (summary.total_value / np.maximum(summary.occasions, 1)).astype(np.float64)
    avg_value = expected_average_value(models.gamma_gamma, x, summary.monetary_value, own_mean)
    inverse = grouped.inverse
    return CustomerValue(
        expected_purchases=_finite(previous[inverse]),
        p_alive=_finite(np.clip(alive[inverse], 0.0, 1.0)),
        churn_risk=_finite(1.0 - np.clip(alive[inverse], 0.0, 1.0)),
        expected_avg_value=_finite(avg_value),
        clv=_finite(discounted[inverse] * avg_value),
    )


def params_document(models: FittedModels) -> dict[str, Any]:
    """The fitted parameters as a JSON-ready document."""
    b = models.bgnbd
    g = models.gamma_gamma
    return {
        "bgnbd": {"r": b.r, "alpha": b.alpha, "a": b.a, "b": b.b,
                  "log_likelihood": b.log_likelihood},
        "gamma_gamma": None if g is None else {"p": g.p, "q": g.q, "gamma": g.gamma,
                                               "log_likelihood": g.log_likelihood},
        "time_unit": str(models.time_unit),
    }


def _finite(values: FloatArray) -> FloatArray:
    return np.nan_to_num(np.asarray(values, dtype=np.float64), nan=0.0, posinf=0.0, neginf=0.0)
