"""Pareto/NBD (Schmittlein, Morrison & Colombo 1987): purchases at a Poisson rate
lambda ~ Gamma(r, alpha) until an exponential lifetime with rate mu ~ Gamma(s, beta) ends.

The likelihood is the one of Fader & Hardie (2005), "A Note on Deriving the Pareto/NBD Model
and Related Expressions", eq. 22:

    L = G(r+x) alpha^r beta^s / G(r) * ( (alpha+T)^-(r+x) (beta+T)^-s + s/(r+s+x) A0 )
    A0 = F(t_x) - F(T),  F(t) = 2F1(r+s+x, b2; r+s+x+1; (M-m)/(M+t)) / (M+t)^(r+s+x)

with M = max(alpha, beta), m = min(alpha, beta), b2 = s+1 if alpha >= beta else r+x.
The hypergeometric part is computed in log space; where the series diverges at z = 1
(c-a-b = 1 - b2 < 0) Euler's transformation 2F1(a,b;c;z) = (1-z)^(c-a-b) 2F1(c-a,c-b;c;z)
is applied first, with 1-z = (m+t)/(M+t) computed without cancellation, so z near 1
(very unequal alpha and beta) stays accurate. Parameters are ``theta = log(r, alpha, s,
beta)``. The gradient is by central differences of the likelihood (the hypergeometric
function has no cheap parameter derivatives).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy.special import gammaln, hyp2f1

from enrichment.mle import Grouped, LogLikelihood, group_rows

__all__ = [
    "log_likelihood", "p_alive", "purchases_if_alive", "row_log_likelihood",
]

FloatArray = npt.NDArray[np.float64]
_STEP = 1e-6


def _log_f(r: float, alpha: float, s: float, beta: float, pairs: Grouped) -> FloatArray:
    """log F(t) of the module docstring for the rows of ``pairs`` (distinct (x, t) once)."""
    px, pt = pairs.columns
    big, small = max(alpha, beta), min(alpha, beta)
    rsx = r + s + px
    b2 = np.full_like(px, s + 1.0) if alpha >= beta else r + px
    z = (big - small) / (big + pt)
    exponent = 1.0 - b2      # c - a - b of the series
    diverging = exponent < 0
    series = np.empty_like(px)
    with np.errstate(all="ignore"):
        keep = ~diverging
        series[keep] = np.log(hyp2f1(rsx[keep], b2[keep], rsx[keep] + 1.0, z[keep]))
        d = diverging
        series[d] = (exponent[d] * (np.log(small + pt[d]) - np.log(big + pt[d]))
                     + np.log(hyp2f1(1.0, rsx[d] + exponent[d], rsx[d] + 1.0, z[d])))
    value = series - rsx * np.log(big + pt)
    return np.asarray(value[pairs.inverse], dtype=np.float64)


def _parts(theta: FloatArray, x: FloatArray, t_x: FloatArray, T: FloatArray,
           pairs: tuple[Grouped, Grouped] | None = None
           ) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Per row: the constant part, log of the 'alive at T' term and of the s/(r+s+x) A0 term.

    ``pairs``: ``group_rows(x, t_x)`` and ``group_rows(x, T)`` when already at hand."""
    r, alpha, s, beta = (float(v) for v in np.exp(theta))
    last_pairs, end_pairs = pairs if pairs is not None else (group_rows(x, t_x),
                                                             group_rows(x, T))
    base = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
    alive = -(r + x) * np.log(alpha + T) - s * np.log(beta + T)
    at_last, at_end = _log_f(r, alpha, s, beta, last_pairs), _log_f(r, alpha, s, beta, end_pairs)
    with np.errstate(all="ignore"):
        log_a0 = at_last + np.log(-np.expm1(np.minimum(at_end - at_last, 0.0)))
    died = np.log(s) - np.log(r + s + x) + log_a0
    return np.asarray(base), np.asarray(alive), np.asarray(died)


def row_log_likelihood(theta: FloatArray, x: npt.ArrayLike, t_x: npt.ArrayLike,
                       T: npt.ArrayLike, pairs: tuple[Grouped, Grouped] | None = None
                       ) -> FloatArray:
    """log L of each customer (module docstring)."""
    xa, ta, Ta = (np.asarray(v, dtype=np.float64) for v in (x, t_x, T))
    with np.errstate(all="ignore"):   # extreme trial parameters give NaN: the fit rejects them
        base, alive, died = _parts(theta, xa, ta, Ta, pairs)
        return np.asarray(base + np.logaddexp(alive, died), dtype=np.float64)


def log_likelihood(grouped: Grouped, rows: npt.NDArray[np.intp], scale: float
                   ) -> LogLikelihood:
    """The log-likelihood over the groups ``rows`` (times multiplied by ``scale``) and its
    gradient in log parameters by central differences."""
    counts = grouped.counts[rows]
    x, t_x, T = (column[rows] for column in grouped.columns)
    t_x, T = t_x * scale, T * scale
    pairs = (group_rows(x, t_x), group_rows(x, T))

    def value(theta: FloatArray) -> float:
        return float(counts @ row_log_likelihood(theta, x, t_x, T, pairs))

    def value_and_gradient(theta: FloatArray) -> tuple[float, FloatArray]:
        gradient = np.empty(theta.size)
        for j in range(theta.size):
            shift = np.zeros(theta.size)
            shift[j] = _STEP
            gradient[j] = (value(theta + shift) - value(theta - shift)) / (2 * _STEP)
        return value(theta), gradient

    return value_and_gradient


def p_alive(theta: FloatArray, x: npt.ArrayLike, t_x: npt.ArrayLike,
            T: npt.ArrayLike) -> FloatArray:
    """P(alive at T | x, t_x, T) = 1 / (1 + s/(r+s+x) (alpha+T)^(r+x) (beta+T)^s A0)."""
    xa, ta, Ta = (np.asarray(v, dtype=np.float64) for v in (x, t_x, T))
    with np.errstate(all="ignore"):
        _, alive, died = _parts(theta, xa, ta, Ta)
        return np.asarray(np.exp(alive - np.logaddexp(alive, died)), dtype=np.float64)


def purchases_if_alive(theta: FloatArray, t: float, x: npt.ArrayLike,
                       T: npt.ArrayLike) -> FloatArray:
    """E[purchases in (T, T+t]] of a customer alive at T (Fader & Hardie 2005, eq. 24 without
    P(alive)): (r+x)(beta+T)/((alpha+T)(s-1)) [1 - ((beta+T)/(beta+T+t))^(s-1)], which is
    (r+x)/(alpha+T) (beta+T) ln((beta+T+t)/(beta+T)) at s = 1."""
    xa, Ta = np.asarray(x, dtype=np.float64), np.asarray(T, dtype=np.float64)
    r, alpha, s, beta = (float(v) for v in np.exp(theta))
    if t <= 0:
        return np.zeros_like(xa)
    log_growth = np.log1p(t / (beta + Ta))
    near_one = abs(s - 1.0) < 1e-9
    factor = log_growth if near_one else -np.expm1(-(s - 1.0) * log_growth) / (s - 1.0)
    return np.asarray((r + xa) / (alpha + Ta) * (beta + Ta) * factor, dtype=np.float64)
