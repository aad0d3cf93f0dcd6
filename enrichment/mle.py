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
                      options={"maxiter": 2000, "ftol": 1e-13, "gtol": 1e-7})
    theta = np.asarray(result.x, dtype=np.float64)
    return theta, float(log_likelihood(theta)[0])
