"""Customer value from a purchase summary: a purchase model + Gamma-Gamma, predictions, CLV.

Discounted CLV over a horizon of H days, cut into K = max(1, round(H / 30.44)) monthly steps
t_k = k H / K:

    CLV = E[M | x, m] * sum_k (E[Y(t_k)] - E[Y(t_(k-1))]) / (1 + d) ^ (t_k / 365.25 days)

where E[Y(t)] is the purchase model's (BG/NBD, MBG/NBD or Pareto/NBD) expected number of
purchases in the next t, E[M | x, m] the Gamma-Gamma expected value per purchase and d the
annual discount rate. Expected purchases over the horizon are E[Y(H)] undiscounted; churn
risk is 1 - P(alive).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from enrichment.gamma_gamma import GammaGammaParams, expected_average_value, fit_gamma_gamma
from enrichment.mle import group_rows, single_threaded_blas
from enrichment.purchase_models import FittedPurchaseModel, ModelName, fit_purchase_model
from enrichment.settings import TimeUnit
from enrichment.summary import PurchaseSummary

__all__ = ["DAYS_PER_UNIT", "CustomerValue", "FittedModels", "fit_models", "params_document",
           "predict_value"]

FloatArray = npt.NDArray[np.float64]
DAYS_PER_UNIT = {TimeUnit.DAY: 1.0, TimeUnit.WEEK: 7.0}
_DAYS_PER_MONTH = 365.25 / 12


@dataclass(frozen=True)
class FittedModels:
    """The fitted models and the time unit their parameters are in."""

    purchases: FittedPurchaseModel
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


def fit_models(summary: PurchaseSummary, time_unit: TimeUnit,
               model: ModelName = ModelName.BGNBD) -> FittedModels:
    """Fit ``model`` on every buyer and Gamma-Gamma on repeat buyers with positive spend."""
    with single_threaded_blas():
        return FittedModels(
            purchases=fit_purchase_model(model, summary.frequency, summary.recency, summary.T,
                                         grouped=summary.groups),
            gamma_gamma=fit_gamma_gamma(summary.frequency, summary.monetary_value),
            time_unit=time_unit,
        )


def predict_value(models: FittedModels, summary: PurchaseSummary, *, horizon_days: float,
                  annual_discount_rate: float) -> CustomerValue:
    """Expected purchases, P(alive), churn risk, expected value per purchase and CLV."""
    grouped = summary.groups
    gx, gt, gT = grouped.columns
    purchases, discounted, alive = _discounted_purchases(
        models.purchases, gx, gt, gT, models.time_unit, horizon_days, annual_discount_rate)
    avg_value = average_values(models.gamma_gamma, summary)
    inverse = grouped.inverse
    return CustomerValue(
        expected_purchases=_finite(purchases[inverse]),
        p_alive=_finite(np.clip(alive[inverse], 0.0, 1.0)),
        churn_risk=_finite(1.0 - np.clip(alive[inverse], 0.0, 1.0)),
        expected_avg_value=_finite(avg_value),
        clv=_finite(discounted[inverse] * avg_value),
    )


def average_values(gamma_gamma: GammaGammaParams | None,
                   summary: PurchaseSummary) -> FloatArray:
    """Gamma-Gamma E[M | x, m] of each customer (own mean where the model has none)."""
    own_mean = (summary.total_value / np.maximum(summary.occasions, 1)).astype(np.float64)
    return expected_average_value(gamma_gamma, summary.frequency, summary.monetary_value,
                                  own_mean)


def _discounted_purchases(model: FittedPurchaseModel, x: FloatArray, t_x: FloatArray,
                          T: FloatArray, time_unit: TimeUnit, horizon_days: float,
                          annual_discount_rate: float
                          ) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Expected purchases over the horizon, their discounted sum, and P(alive) per row."""
    pairs = group_rows(x, T)
    px, pT = pairs.columns
    alive = model.p_alive(x, t_x, T)
    unit_days = DAYS_PER_UNIT[time_unit]
    steps = max(1, round(horizon_days / _DAYS_PER_MONTH))
    step_days = horizon_days / steps
    discounted = np.zeros_like(x)
    previous = np.zeros_like(x)
    for k in range(1, steps + 1):
        if_alive = model.purchases_if_alive(k * step_days / unit_days, px, pT)
        cumulative = _finite(np.maximum(if_alive[pairs.inverse] * alive, 0.0))
        cumulative = np.maximum(cumulative, previous)
        factor = (1.0 + annual_discount_rate) ** (-(k * step_days) / 365.25)
        discounted += (cumulative - previous) * factor
        previous = cumulative
    return previous, discounted, alive


def discounted_purchases(model: FittedPurchaseModel, summary: PurchaseSummary,
                         time_unit: TimeUnit, *, horizon_days: float,
                         annual_discount_rate: float) -> tuple[FloatArray, FloatArray,
                                                               FloatArray]:
    """Per group of ``summary.groups``: expected purchases, discounted purchases, P(alive)."""
    gx, gt, gT = summary.groups.columns
    return _discounted_purchases(model, gx, gt, gT, time_unit, horizon_days,
                                 annual_discount_rate)


def params_document(models: FittedModels) -> dict[str, Any]:
    """The fitted parameters as a JSON-ready document (key ``model`` names the one used)."""
    p = models.purchases
    g = models.gamma_gamma
    return {
        "model": str(p.kind.name),
        p.kind.document_key: {**p.params, "log_likelihood": p.log_likelihood,
                              "standard_errors": p.standard_errors},
        "gamma_gamma": None if g is None else {"p": g.p, "q": g.q, "gamma": g.gamma,
                                               "log_likelihood": g.log_likelihood},
        "time_unit": str(models.time_unit),
    }


def _finite(values: FloatArray) -> FloatArray:
    return np.nan_to_num(np.asarray(values, dtype=np.float64), nan=0.0, posinf=0.0, neginf=0.0)
