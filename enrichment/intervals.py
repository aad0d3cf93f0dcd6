"""P10/P90 bands of a customer's predictions from the uncertainty of the fitted parameters.

Parameter sets are drawn from the sampling distribution of the maximum-likelihood estimate,
theta ~ Normal(theta_hat, inverse Hessian) in log parameters, and each customer's expected
purchases, discounted purchases and P(alive) are computed for every draw; the bands are the
10th and 90th percentiles over the draws. CLV's band is the discounted purchases' band times
the customer's Gamma-Gamma expected value (its own uncertainty is not drawn). The draws are
seeded, so the same fit gives the same bands. At most 2e7 (draw, distinct row) values are
kept: with very many distinct rows fewer draws are used (never fewer than 20).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from enrichment.purchase_models import FittedPurchaseModel
from enrichment.settings import TimeUnit
from enrichment.summary import PurchaseSummary
from enrichment.value import discounted_purchases

__all__ = ["Bands", "prediction_bands"]

FloatArray = npt.NDArray[np.float64]
_MAX_VALUES = 20_000_000
_MIN_DRAWS = 20


@dataclass(frozen=True)
class Bands:
    """P10 and P90 per customer of the summary (aligned arrays)."""

    purchases_p10: FloatArray
    purchases_p90: FloatArray
    discounted_p10: FloatArray
    discounted_p90: FloatArray
    p_alive_p10: FloatArray
    p_alive_p90: FloatArray
    draws: int


def prediction_bands(model: FittedPurchaseModel, summary: PurchaseSummary,
                     time_unit: TimeUnit, *, horizon_days: float, annual_discount_rate: float,
                     draws: int, seed: int = 0) -> Bands | None:
    """The bands, or None without a covariance (degenerate fit) or with ``draws`` = 0."""
    if model.covariance is None or draws <= 0 or not len(summary):
        return None
    groups = summary.groups.counts.size
    draws = max(_MIN_DRAWS, min(draws, _MAX_VALUES // max(groups, 1)))
    rng = np.random.default_rng(seed)
    thetas = rng.multivariate_normal(model.theta, model.covariance, size=draws,
                                     method="cholesky")
    purchases = np.empty((draws, groups))
    discounted = np.empty((draws, groups))
    alive = np.empty((draws, groups))
    for k, theta in enumerate(thetas):
        purchases[k], discounted[k], alive[k] = discounted_purchases(
            model.with_theta(theta), summary, time_unit, horizon_days=horizon_days,
            annual_discount_rate=annual_discount_rate)
    inverse = summary.groups.inverse

    def band(values: FloatArray) -> tuple[FloatArray, FloatArray]:
        finite = np.where(np.isfinite(values), values, 0.0)   # as the point predictions
        low, high = np.percentile(finite, [10, 90], axis=0)
        return (low[inverse], high[inverse])

    p10, p90 = band(purchases)
    d10, d90 = band(discounted)
    a10, a90 = band(np.clip(alive, 0.0, 1.0))
    return Bands(p10, p90, d10, d90, a10, a90, draws)
