"""Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV"; Colombo & Jiang 1999).

A customer's transaction values are Gamma(p, nu) with nu ~ Gamma(q, gamma) across customers;
it is fitted on customers with at least one repeat purchase and a positive mean value ``m``
of their ``x`` repeat purchases.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.special import digamma, gammaln

from enrichment.mle import maximize_log_likelihood

__all__ = ["GammaGammaParams", "expected_average_value", "fit_gamma_gamma"]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class GammaGammaParams:
    """Fitted Gamma-Gamma parameters (``gamma`` in the currency of the data)."""

    p: float
    q: float
    gamma: float
    log_likelihood: float


def _log_likelihood_rows(p: float, q: float, g: float, x: FloatArray,
                         m: FloatArray) -> FloatArray:
    px = p * x
    rows = (gammaln(px + q) - gammaln(px) - gammaln(q) + q * np.log(g)
            + (px - 1.0) * np.log(m) + px * np.log(x) - (px + q) * np.log(g + m * x))
    return np.asarray(rows, dtype=np.float64)


def fit_gamma_gamma(x: npt.ArrayLike, m: npt.ArrayLike) -> GammaGammaParams | None:
    """Fit p, q, gamma by maximum likelihood on rows with ``x > 0`` and ``m > 0``.

    log L_i = lnG(px+q) - lnG(px) - lnG(q) + q ln(gamma) + (px-1) ln(m) + px ln(x)
              - (px+q) ln(gamma + m x)
    Money is rescaled so the mean of m is 1 while fitting; terms of x alone are computed once
    per distinct x, and sums that do not depend on the parameters once per fit. ``None``
    when fewer than two customers qualify.
    """
    xa, ma = np.asarray(x, dtype=np.float64), np.asarray(m, dtype=np.float64)
    keep = (xa > 0) & (ma > 0) & np.isfinite(ma)
    if keep.sum() < 2:
        return None
    xk, mk = xa[keep], ma[keep]
    scale = 1.0 / float(mk.mean())
    levels, ix = np.unique(xk, return_inverse=True)
    weight_x = np.bincount(ix, minlength=levels.size).astype(np.float64)
    spend = mk * scale * xk                       # total repeat spend, rescaled
    sum_log_m = float(np.log(mk * scale).sum())
    sum_x_log_m = float(xk @ np.log(mk * scale))
    sum_x_log_x = float(xk @ np.log(xk))

    def log_likelihood(theta: FloatArray) -> tuple[float, FloatArray]:
        p, q, g = np.exp(theta)
        px = p * levels
        log_gs = np.log(g + spend)
        inv_gs = 1.0 / (g + spend)
        n = xk.size
        value = (weight_x @ (gammaln(px + q) - gammaln(px)) - n * gammaln(q)
                 + n * q * np.log(g) + p * sum_x_log_m - sum_log_m + p * sum_x_log_x
                 - p * (xk @ log_gs) - q * log_gs.sum())
        psi = digamma(px + q)
        d_p = (levels * weight_x) @ (psi - digamma(px)) + sum_x_log_m + sum_x_log_x \
            - xk @ log_gs
        d_q = weight_x @ psi - n * digamma(q) + n * np.log(g) - log_gs.sum()
        d_g = n * q / g - (p * xk + q) @ inv_gs
        return float(value), np.array([d_p * p, d_q * q, d_g * g])

    theta, _ = maximize_log_likelihood(log_likelihood, np.zeros(3), total_weight=float(xk.size))
    p, q, g = (float(v) for v in np.exp(theta))
    g /= scale
    log_l = float(_log_likelihood_rows(p, q, g, xk, mk).sum())
    return GammaGammaParams(p=p, q=q, gamma=g, log_likelihood=log_l)


def expected_average_value(params: GammaGammaParams | None, x: npt.ArrayLike,
                           m: npt.ArrayLike, fallback: npt.ArrayLike) -> FloatArray:
    """E[M | x, m] = p (gamma + x m) / (p x + q - 1).

    A customer without repeat purchases (x = 0) gets the population mean p gamma / (q - 1).
    Where the model has no finite mean (not fitted, or q <= 1) the ``fallback`` (the
    customer's own mean purchase value) is used.
    """
    xa = np.asarray(x, dtype=np.float64)
    ma = np.maximum(np.asarray(m, dtype=np.float64), 0.0)
    fb = np.asarray(fallback, dtype=np.float64)
    if params is None or params.q <= 1.0:
        return np.where(np.isfinite(fb), np.maximum(fb, 0.0), 0.0)
    value = params.p * (params.gamma + xa * ma) / (params.p * xa + params.q - 1.0)
    return np.where(np.isfinite(value), value, np.maximum(np.nan_to_num(fb), 0.0))
