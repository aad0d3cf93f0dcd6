"""Maximum likelihood over positive parameters, on summaries grouped into identical rows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.optimize import minimize

__all__ = ["LOG_BOUND", "Grouped", "group_rows", "maximize_log_likelihood"]

FloatArray = npt.NDArray[np.float64]
# Log-space parameters stay within exp(-LOG_BOUND)..exp(LOG_BOUND): a degenerate sample (no
# repeat buyers, one customer) then still yields finite parameters and predictions.
LOG_BOUND = 15.0


@dataclass(frozen=True)
class Grouped:
    """Identical rows of several columns, each kept once with how often it occurs."""

    columns: tuple[FloatArray, ...]
    counts: FloatArray
    inverse: npt.NDArray[np.intp]


def group_rows(*columns: npt.ArrayLike) -> Grouped:
    """Group identical rows of ``columns`` (same length); ``inverse`` maps rows to groups."""
    arrays = [np.asarray(column, dtype=np.float64) for column in columns]
    if not arrays[0].size:
        empty = np.empty(0)
        return Grouped(tuple(empty for _ in arrays), empty, np.empty(0, dtype=np.intp))
    order = np.lexsort(arrays[::-1])
    sorted_columns = [array[order] for array in arrays]
    new_group = np.ones(order.size, dtype=bool)
    new_group[1:] = np.logical_or.reduce([np.diff(c) != 0 for c in sorted_columns])
    group_of_sorted = np.cumsum(new_group) - 1
    inverse = np.empty(order.size, dtype=np.intp)
    inverse[order] = group_of_sorted
    counts = np.bincount(group_of_sorted).astype(np.float64)
    return Grouped(tuple(c[new_group] for c in sorted_columns), counts, inverse)


LogLikelihood = Callable[[FloatArray], tuple[float, FloatArray]]


def maximize_log_likelihood(
    log_likelihood: LogLikelihood, start: FloatArray, *, total_weight: float
) -> tuple[FloatArray, float]:
    """Maximise ``log_likelihood(log_params) -> (value, gradient)`` over bounded log params.

    The objective is divided by ``total_weight`` so the optimiser's tolerances do not depend
    on the sample size. Returns the log parameters and the log-likelihood there.
    """
    scale = max(total_weight, 1.0)

    def objective(theta: FloatArray) -> tuple[float, FloatArray]:
        value, gradient = log_likelihood(theta)
        if not np.isfinite(value):
            return 1e300, np.zeros_like(theta)
        return -value / scale, -gradient / scale

    result = minimize(objective, start, jac=True, method="L-BFGS-B",
                      bounds=[(-LOG_BOUND, LOG_BOUND)] * start.size,
                      options={"maxiter": 2000, "ftol": 1e-14, "gtol": 1e-9})
    theta = np.asarray(result.x, dtype=np.float64)
    return theta, float(log_likelihood(theta)[0])
