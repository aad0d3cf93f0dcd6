"""MBG/NBD (Batislam, Denizel & Filiztekin 2007): BG/NBD where a customer may drop out at
any purchase, the first one included.

Each customer buys as a Poisson process with rate lambda ~ Gamma(r, alpha) and, at time 0
and after each purchase, drops out with probability p ~ Beta(a, b). So a one-time buyer who
has been gone a long time is likely lost, unlike in BG/NBD. Input per customer: ``x`` repeat
purchases, ``t_x`` time of the last purchase and ``T`` the end of observation, both measured
from the first purchase. Parameters are handled as ``theta = log(r, alpha, a, b)``.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy.special import digamma, gammaln, hyp2f1

from enrichment.mle import Grouped, LogLikelihood

__all__ = ["log_likelihood", "p_alive", "purchases_if_alive", "row_log_likelihood"]

FloatArray = npt.NDArray[np.float64]


def _mix(theta: FloatArray, x: FloatArray, t_x: FloatArray, T: FloatArray
         ) -> tuple[FloatArray, FloatArray, FloatArray]:
    r, alpha, a, b = np.exp(theta)
    base = (gammaln(r + x) - gammaln(r) + r * np.log(alpha) + gammaln(a + b)
            + gammaln(b + x + 1.0) - gammaln(b) - gammaln(a + b + x + 1.0))
    a3 = -(r + x) * np.log(alpha + T)
    a4 = np.log(a) - np.log(b + x) - (r + x) * np.log(alpha + t_x)
    return np.asarray(base), np.asarray(a3), np.asarray(a4)


def row_log_likelihood(theta: FloatArray, x: npt.ArrayLike, t_x: npt.ArrayLike,
                       T: npt.ArrayLike) -> FloatArray:
    """log L_i = lnG(r+x) - lnG(r) + r ln(alpha) + ln B(a, b+x+1) - ln B(a, b)
    + ln( (alpha+T)^-(r+x) + a/(b+x) (alpha+t_x)^-(r+x) )."""
    xa, ta, Ta = (np.asarray(v, dtype=np.float64) for v in (x, t_x, T))
    base, a3, a4 = _mix(theta, xa, ta, Ta)
    return np.asarray(base + np.logaddexp(a3, a4), dtype=np.float64)


def log_likelihood(grouped: Grouped, rows: npt.NDArray[np.intp], scale: float
                   ) -> LogLikelihood:
    """The log-likelihood and its gradient in log parameters over the groups ``rows``, with
    times multiplied by ``scale``."""
    counts = grouped.counts[rows]
    x, t_x, T = (column[rows] for column in grouped.columns)
    t_x, T = t_x * scale, T * scale

    def value_and_gradient(theta: FloatArray) -> tuple[float, FloatArray]:
        r, alpha, a, b = np.exp(theta)
        base, a3, a4 = _mix(theta, x, t_x, T)
        mix = np.logaddexp(a3, a4)
        w4 = np.exp(a4 - mix)
        w3 = 1.0 - w4
        log_T, log_t = np.log(alpha + T), np.log(alpha + t_x)
        d_r = counts @ (digamma(r + x) - digamma(r) + np.log(alpha) - w3 * log_T - w4 * log_t)
        d_alpha = counts @ (r / alpha - (r + x) * (w3 / (alpha + T) + w4 / (alpha + t_x)))
        common = digamma(a + b) - digamma(a + b + x + 1.0)
        d_a = counts @ (common + w4 / a)
        d_b = counts @ (common + digamma(b + x + 1.0) - digamma(b) - w4 / (b + x))
        gradient = np.array([d_r * r, d_alpha * alpha, d_a * a, d_b * b])
        return float(counts @ (base + mix)), gradient

    return value_and_gradient


def p_alive(theta: FloatArray, x: npt.ArrayLike, t_x: npt.ArrayLike,
            T: npt.ArrayLike) -> FloatArray:
    """P(alive at T | x, t_x, T) = 1 / (1 + a/(b+x) ((alpha+T)/(alpha+t_x))^(r+x))."""
    xa, ta, Ta = (np.asarray(v, dtype=np.float64) for v in (x, t_x, T))
    _, a3, a4 = _mix(theta, xa, ta, Ta)
    return np.asarray(np.exp(a3 - np.logaddexp(a3, a4)), dtype=np.float64)


def purchases_if_alive(theta: FloatArray, t: float, x: npt.ArrayLike,
                       T: npt.ArrayLike) -> FloatArray:
    """E[purchases in (T, T+t]] of a customer alive at T (Batislam et al. 2007, eq. 14
    without the P(alive) factor):
    (a+b+x)/(a-1) [1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x+1; a+b+x; t/(alpha+T+t))].
    """
    xa, Ta = np.asarray(x, dtype=np.float64), np.asarray(T, dtype=np.float64)
    r, alpha, a, b = (float(v) for v in np.exp(theta))
    if t <= 0:
        return np.zeros_like(xa)
    if abs(a - 1.0) < 1e-9:
        a = 1.0 + 1e-9
    with np.errstate(all="ignore"):   # extreme fits: non-finite values are replaced later
        log_ratio = (r + xa) * (np.log(alpha + Ta) - np.log(alpha + Ta + t))
        series = hyp2f1(r + xa, b + xa + 1.0, a + b + xa, t / (alpha + Ta + t))
        value = (a + b + xa) / (a - 1.0) * (1.0 - np.exp(log_ratio) * series)
    return np.asarray(value, dtype=np.float64)
