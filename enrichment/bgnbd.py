"""BG/NBD (Fader, Hardie & Lee 2005): who is still buying, and how often.

Each customer buys as a Poisson process with rate lambda ~ Gamma(r, alpha) and, after each
purchase, drops out with probability p ~ Beta(a, b). Input per customer: ``x`` repeat
purchases, ``t_x`` time of the last purchase and ``T`` the end of observation, both measured
from the first purchase.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.special import digamma, gammaln, hyp2f1

from enrichment.mle import group_rows, maximize_log_likelihood

__all__ = ["BgNbdParams", "expected_purchases", "fit_bgnbd", "p_alive"]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class BgNbdParams:
    """Fitted BG/NBD parameters (``alpha`` in the time unit of the data)."""

    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float


def _terms(r: float, alpha: float, a: float, b: float, x: FloatArray, t_x: FloatArray,
           T: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Per row: the log-likelihood without the mixing term, A3 and A4 (see ``fit_bgnbd``)."""
    base = (gammaln(r + x) - gammaln(r) + r * np.log(alpha)
            + gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x))
    a3 = -(r + x) * np.log(alpha + T)
    repeat = x > 0
    a4 = np.where(repeat, np.log(a) - np.log(b + np.maximum(x, 1.0) - 1.0)
                  - (r + x) * np.log(alpha + t_x), -np.inf)
    return base, a3, a4


def fit_bgnbd(x: npt.ArrayLike, t_x: npt.ArrayLike, T: npt.ArrayLike) -> BgNbdParams:
    """Fit r, alpha, a, b by maximum likelihood.

    log L_i = lnG(r+x) - lnG(r) + r ln(alpha) + ln B(a, b+x) - ln B(a, b)
              + ln( (alpha+T)^-(r+x) + [x>0] a/(b+x-1) (alpha+t_x)^-(r+x) )
    summed over customers; identical (x, t_x, T) rows are evaluated once and weighted by
    their count. Times are rescaled so that max T is 10 while fitting (alpha is a time
    scale, so the maximum moves with it exactly).
    """
    grouped = group_rows(x, t_x, T)
    gx, gt, gT = grouped.columns
    counts = grouped.counts
    if not counts.size:
        raise ValueError("no customers to fit")
    scale = 10.0 / max(float(gT.max()), 1e-9)
    gt, gT = gt * scale, gT * scale
    has_repeat = gx > 0

    def log_likelihood(theta: FloatArray) -> tuple[float, FloatArray]:
        r, alpha, a, b = np.exp(theta)
        base, a3, a4 = _terms(r, alpha, a, b, gx, gt, gT)
        mix = np.logaddexp(a3, a4)
        w4 = np.exp(a4 - mix)
        w3 = 1.0 - w4
        d_r = (digamma(r + gx) - digamma(r) + np.log(alpha)
               - w3 * np.log(alpha + gT) - w4 * np.log(alpha + gt))
        d_alpha = r / alpha - (r + gx) * (w3 / (alpha + gT) + w4 / (alpha + gt))
        common = digamma(a + b) - digamma(a + b + gx)
        d_a = common + np.where(has_repeat, w4 / a, 0.0)
        d_b = (common + digamma(b + gx) - digamma(b)
               - np.where(has_repeat, w4 / (b + np.maximum(gx, 1.0) - 1.0), 0.0))
        gradient = np.array([counts @ d_r * r, counts @ d_alpha * alpha,
                             counts @ d_a * a, counts @ d_b * b])
        return float(counts @ (base + mix)), gradient

    theta, _ = maximize_log_likelihood(log_likelihood, np.zeros(4), total_weight=counts.sum())
    r, alpha, a, b = (float(v) for v in np.exp(theta))
    alpha /= scale
    base, a3, a4 = _terms(r, alpha, a, b, *(c for c in grouped.columns))
    log_l = float(counts @ (base + np.logaddexp(a3, a4)))
    return BgNbdParams(r=r, alpha=alpha, a=a, b=b, log_likelihood=log_l)


def p_alive(params: BgNbdParams, x: npt.ArrayLike, t_x: npt.ArrayLike,
            T: npt.ArrayLike) -> FloatArray:
    """P(still alive at T | x, t_x, T) = 1 / (1 + [x>0] a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x)).

    Customers without a repeat purchase are alive by the model's assumption (dropout can
    only happen right after a purchase).
    """
    xa, ta, Ta = (np.asarray(v, dtype=np.float64) for v in (x, t_x, T))
    _, a3, a4 = _terms(params.r, params.alpha, params.a, params.b, xa, ta, Ta)
    return np.asarray(np.exp(a3 - np.logaddexp(a3, a4)), dtype=np.float64)


def expected_purchases(params: BgNbdParams, t: float, x: npt.ArrayLike, t_x: npt.ArrayLike,
                       T: npt.ArrayLike) -> FloatArray:
    """E[purchases in (T, T+t] | x, t_x, T] (FHL 2005, eq. 10).

    (a+b+x-1)/(a-1) * [1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; t/(alpha+T+t))]
    * P(alive). Values the hypergeometric series cannot give (non-finite) become 0.
    """
    xa, ta, Ta = (np.asarray(v, dtype=np.float64) for v in (x, t_x, T))
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    if t <= 0:
        return np.zeros_like(xa)
    grouped = group_rows(xa, Ta)
    gx, gT = grouped.columns
    log_ratio = (r + gx) * (np.log(alpha + gT) - np.log(alpha + gT + t))
    series = hyp2f1(r + gx, b + gx, a + b + gx - 1.0, t / (alpha + gT + t))
    if abs(a - 1.0) < 1e-9:
        a = 1.0 + 1e-9
    bracket = (a + b + gx - 1.0) / (a - 1.0) * (1.0 - np.exp(log_ratio) * series)
    value = bracket[grouped.inverse] * p_alive(params, xa, ta, Ta)
    return np.where(np.isfinite(value), np.maximum(value, 0.0), 0.0)
