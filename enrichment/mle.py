"""Maximum likelihood over positive parameters, on summaries grouped into identical rows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.optimize import minimize
from threadpoolctl import threadpool_limits

__all__ = [
    "LOG_BOUND", "Grouped", "LogLikelihood", "group_rows", "maximize_log_likelihood",
    "mean_curvature",
    "single_threaded_blas",
]

FloatArray = npt.NDArray[np.float64]
# Log-space parameters stay within exp(-LOG_BOUND)..exp(LOG_BOUND): a degenerate sample (no
# repeat buyers, one customer) then still yields finite parameters and predictions.
LOG_BOUND = 15.0


@dataclass(frozen=True)
class Grouped:
    """Identical rows of several columns, each kept once with how often it occurs.

    ``columns[j][g] == levels[j][level_index[j][g]]``: the distinct values of each column and
    where each group's value is among them, so terms of one column are computed per level.
    """

    columns: tuple[FloatArray, ...]
    counts: FloatArray
    inverse: npt.NDArray[np.intp]
    levels: tuple[FloatArray, ...]
    level_index: tuple[npt.NDArray[np.intp], ...]


def group_rows(*columns: npt.ArrayLike) -> Grouped:
    """Group identical rows of ``columns`` (same length); ``inverse`` maps rows to groups."""
    arrays = [np.asarray(column, dtype=np.float64) for column in columns]
    if not arrays[0].size:
        empty, none = np.empty(0), np.empty(0, dtype=np.intp)
        return Grouped(tuple(empty for _ in arrays), empty, none,
                       tuple(empty for _ in arrays), tuple(none for _ in arrays))
    levels, ranks = zip(*(np.unique(array, return_inverse=True) for array in arrays),
                        strict=True)
    sizes = [level.size for level in levels]
    if float(np.prod(np.array(sizes, dtype=np.float64))) < 2.0**62:
        key = np.zeros(arrays[0].size, dtype=np.int64)
        for rank, size in zip(ranks, sizes, strict=True):
            key = key * size + rank
        unique_key, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
        level_index = []
        for size in reversed(sizes):
            level_index.append(unique_key % size)
            unique_key = unique_key // size
        index = tuple(reversed(level_index))
    else:
        stacked = np.stack(ranks, axis=1)
        unique_rows, inverse, counts = np.unique(stacked, axis=0, return_inverse=True,
                                                 return_counts=True)
        index = tuple(unique_rows[:, j] for j in range(len(arrays)))
    index = tuple(np.asarray(i, dtype=np.intp) for i in index)
    return Grouped(
        columns=tuple(level[i] for level, i in zip(levels, index, strict=True)),
        counts=counts.astype(np.float64),
        inverse=np.asarray(inverse, dtype=np.intp).ravel(),
        levels=tuple(levels),
        level_index=index,
    )


LogLikelihood = Callable[[FloatArray], tuple[float, FloatArray]]


def maximize_log_likelihood(
    log_likelihood: LogLikelihood, start: FloatArray, *, total_weight: float,
    curvature: FloatArray | None = None,
) -> tuple[FloatArray, float]:
    """Maximise ``log_likelihood(log_params) -> (value, gradient)`` over bounded log params.

    The objective is divided by ``total_weight`` so the optimiser's tolerances do not depend
    on the sample size. With ``curvature`` (the Hessian of the mean negative log-likelihood
    near ``start``, e.g. from a fit on a sample), Newton steps with that fixed matrix come
    first, so few evaluations reach the optimum; L-BFGS-B always has the last word. Returns
    the log parameters and the log-likelihood there.
    """
    with single_threaded_blas():
        return _maximize(log_likelihood, start, total_weight, curvature)


def single_threaded_blas() -> threadpool_limits:
    """A context in which BLAS runs on one thread.

    The likelihoods call BLAS for many small dot products; a multi-threaded OpenBLAS spends
    more time waking its threads than computing, and on a busy machine fits ran 18x slower.
    """
    return threadpool_limits(limits=1, user_api="blas")


def _maximize(log_likelihood: LogLikelihood, start: FloatArray, total_weight: float,
              curvature: FloatArray | None) -> tuple[FloatArray, float]:
    scale = max(total_weight, 1.0)
    if curvature is not None:
        start = _fixed_newton(log_likelihood, start, curvature, scale)

    def objective(theta: FloatArray) -> tuple[float, FloatArray]:
        value, gradient = log_likelihood(theta)
        if not np.isfinite(value):
            return 1e300, np.zeros_like(theta)
        return -value / scale, -gradient / scale

    result = minimize(objective, start, jac=True, method="L-BFGS-B",
                      bounds=[(-LOG_BOUND, LOG_BOUND)] * start.size,
                      options={"maxiter": 2000, "ftol": 1e-13, "gtol": 1e-7})
    theta = np.asarray(result.x, dtype=np.float64)
    return theta, float(log_likelihood(theta)[0])


def mean_curvature(log_likelihood: LogLikelihood, theta: FloatArray, *,
                   total_weight: float, step: float = 1e-4) -> FloatArray:
    """The Hessian of the mean negative log-likelihood at ``theta``, by central differences
    of the analytic gradient (2 evaluations per parameter)."""
    columns = []
    for j in range(theta.size):
        shift = np.zeros_like(theta)
        shift[j] = step
        up, down = log_likelihood(theta + shift)[1], log_likelihood(theta - shift)[1]
        columns.append(-(up - down) / (2 * step * max(total_weight, 1.0)))
    hessian = np.array(columns)
    return np.asarray((hessian + hessian.T) / 2, dtype=np.float64)


def _fixed_newton(log_likelihood: LogLikelihood, theta: FloatArray, curvature: FloatArray,
                  scale: float, *, rounds: int = 12) -> FloatArray:
    try:
        inverse = np.linalg.inv(curvature)
    except np.linalg.LinAlgError:
        return theta
    value, gradient = log_likelihood(theta)
    for _ in range(rounds):
        if np.max(np.abs(gradient)) / scale < 1e-10:
            break
        step = inverse @ (gradient / scale)
        if not np.all(np.isfinite(step)):
            break
        candidate = np.clip(theta + step, -LOG_BOUND, LOG_BOUND)
        new_value, new_gradient = log_likelihood(candidate)
        if not np.isfinite(new_value) or new_value < value:
            break
        theta, value, gradient = candidate, new_value, new_gradient
        if np.max(np.abs(step)) < 1e-7:
            break
    return theta
