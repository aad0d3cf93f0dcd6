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

from enrichment.mle import (
    Grouped,
    LogLikelihood,
    group_rows,
    maximize_log_likelihood,
    mean_curvature,
)

__all__ = [
    "BgNbdParams", "expected_purchases", "fit_bgnbd", "p_alive", "purchases_if_alive",
]

FloatArray = npt.NDArray[np.float64]
_WARM_START_GROUPS = 40_000


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


def fit_bgnbd(x: npt.ArrayLike, t_x: npt.ArrayLike, T: npt.ArrayLike, *,
              grouped: Grouped | None = None) -> BgNbdParams:
    """Fit r, alpha, a, b by maximum likelihood.

    log L_i = lnG(r+x) - lnG(r) + r ln(alpha) + ln B(a, b+x) - ln B(a, b)
              + ln( (alpha+T)^-(r+x) + [x>0] a/(b+x-1) (alpha+t_x)^-(r+x) )
    summed over customers. Identical (x, t_x, T) rows are evaluated once, weighted by their
    count, and the terms that depend on x, t_x or T alone are computed once per distinct
    value. Times are rescaled so that max T is 10 while fitting (alpha is a time scale, so
    the maximum moves with it exactly). ``grouped`` may pass ``group_rows(x, t_x, T)``.
    """
    grouped = grouped if grouped is not None else group_rows(x, t_x, T)
    counts = grouped.counts
    if not counts.size:
        raise ValueError("no customers to fit")
    scale = 10.0 / max(float(grouped.levels[2].max()), 1e-9)
    start, curvature = np.zeros(4), None
    if counts.size > _WARM_START_GROUPS:
        # a fit on an evenly spaced sample of the groups gives a start close to the optimum
        # and the curvature there, so the fit on all groups needs few evaluations; the
        # result is the maximum on all groups all the same
        sample = np.arange(0, counts.size, counts.size // (_WARM_START_GROUPS // 2))
        sample_ll = _log_likelihood(grouped, counts, sample, scale)
        weight = float(counts[sample].sum())
        start, _ = maximize_log_likelihood(sample_ll, start, total_weight=weight)
        curvature = mean_curvature(sample_ll, start, total_weight=weight)
    everything = np.arange(counts.size)
    theta, _ = maximize_log_likelihood(_log_likelihood(grouped, counts, everything, scale),
                                       start, total_weight=counts.sum(), curvature=curvature)
    r, alpha, a, b = (float(v) for v in np.exp(theta))
    alpha /= scale
    base, a3, a4 = _terms(r, alpha, a, b, *grouped.columns)
    log_l = float(counts @ (base + np.logaddexp(a3, a4)))
    return BgNbdParams(r=r, alpha=alpha, a=a, b=b, log_likelihood=log_l)


def _log_likelihood(grouped: Grouped, all_counts: FloatArray, rows: npt.NDArray[np.intp],
                    scale: float) -> LogLikelihood:
    """The log-likelihood and its gradient in log parameters over the groups ``rows``."""
    counts = all_counts[rows]
    (lx, lt, lT) = grouped.levels
    ix, it, iT = (index[rows] for index in grouped.level_index)
    lt, lT = lt * scale, lT * scale
    weight_x = np.bincount(ix, weights=counts, minlength=lx.size)
    repeat = grouped.columns[0][rows] > 0
    c_rep, ix_rep, it_rep, iT_rep = counts[repeat], ix[repeat], it[repeat], iT[repeat]
    c_one, iT_one = counts[~repeat], iT[~repeat]
    x_minus_1 = np.maximum(lx, 1.0) - 1.0

    def log_likelihood(theta: FloatArray) -> tuple[float, FloatArray]:
        r, alpha, a, b = np.exp(theta)
        rx = r + lx
        log_T, log_t = np.log(alpha + lT), np.log(alpha + lt)
        inv_T, inv_t = 1.0 / (alpha + lT), 1.0 / (alpha + lt)
        base = (gammaln(rx) - gammaln(r) + r * np.log(alpha) + gammaln(a + b)
                + gammaln(b + lx) - gammaln(b) - gammaln(a + b + lx))
        # customers without repeat purchases: the mixing term is A3 alone
        a3_one = -rx[0] * log_T[iT_one] if lx[0] == 0 else np.empty(0)
        rx_rep = rx[ix_rep]
        a3 = -rx_rep * log_T[iT_rep]
        a4 = np.log(a) - np.log(b + x_minus_1)[ix_rep] - rx_rep * log_t[it_rep]
        mix = np.logaddexp(a3, a4)
        w4 = np.exp(a4 - mix)
        w3 = 1.0 - w4
        value = weight_x @ base + c_rep @ mix + c_one @ a3_one
        d_r = (weight_x @ (digamma(rx) - digamma(r) + np.log(alpha))
               - c_rep @ (w3 * log_T[iT_rep] + w4 * log_t[it_rep]) - c_one @ log_T[iT_one])
        d_alpha = (weight_x.sum() * r / alpha
                   - c_rep @ (rx_rep * (w3 * inv_T[iT_rep] + w4 * inv_t[it_rep]))
                   - c_one @ (r * inv_T[iT_one]))
        common = weight_x @ (digamma(a + b) - digamma(a + b + lx))
        d_a = common + (c_rep @ w4) / a
        d_b = (common + weight_x @ (digamma(b + lx) - digamma(b))
               - c_rep @ (w4 / (b + x_minus_1)[ix_rep]))
        gradient = np.array([d_r * r, d_alpha * alpha, d_a * a, d_b * b])
        return float(value), gradient

    return log_likelihood


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
    value = purchases_if_alive(params, t, xa, Ta) * p_alive(params, xa, ta, Ta)
    return np.where(np.isfinite(value), np.maximum(value, 0.0), 0.0)


def purchases_if_alive(params: BgNbdParams, t: float, x: npt.ArrayLike,
                       T: npt.ArrayLike) -> FloatArray:
    """The factor of ``expected_purchases`` before P(alive); it depends on x and T only."""
    xa, Ta = np.asarray(x, dtype=np.float64), np.asarray(T, dtype=np.float64)
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    if t <= 0:
        return np.zeros_like(xa)
    if abs(a - 1.0) < 1e-9:
        a = 1.0 + 1e-9
    with np.errstate(all="ignore"):   # extreme fits: non-finite values are replaced later
        log_ratio = (r + xa) * (np.log(alpha + Ta) - np.log(alpha + Ta + t))
        series = hyp2f1(r + xa, b + xa, a + b + xa - 1.0, t / (alpha + Ta + t))
        value = (a + b + xa - 1.0) / (a - 1.0) * (1.0 - np.exp(log_ratio) * series)
    return np.asarray(value, dtype=np.float64)
