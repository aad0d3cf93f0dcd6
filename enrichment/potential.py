"""Potential value: how far a customer's CLV is below what comparable customers reach.

Comparable customers share the RFM frequency score (customers who never bought form their
own group). potential_value = max(0, P_q(CLV of the group) - CLV), with q the configured
percentile (90 by default, linear interpolation between order statistics).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = ["potential_values"]


def potential_values(clv: npt.ArrayLike, group: npt.ArrayLike,
                     percentile: float) -> npt.NDArray[np.float64]:
    """The gap of each CLV to the ``percentile`` of its group (never negative)."""
    values = pd.Series(np.asarray(clv, dtype=np.float64))
    keys = np.asarray(group)
    if not values.size:
        return np.empty(0)
    high = values.groupby(keys).quantile(percentile / 100.0)
    target = high.reindex(keys).to_numpy(dtype=np.float64)
    return np.maximum(target - values.to_numpy(), 0.0)
