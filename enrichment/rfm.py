"""RFM: recency, frequency and monetary scores 1-5 and named segments.

Scores are quintiles of the mid-rank percentile among buyers: with ``rank`` the average rank
(ties share it) of a value among n buyers, ``score = 1 + floor(5 * (rank - 0.5) / n)``. Equal
values therefore always get the same score (the tie rule is deterministic and independent of
row order or ids), all-equal values score 3 and a single buyer scores 3. Recency ranks by
days since the last purchase (more recent scores higher), frequency by purchase occasions,
monetary by historical (net) value. The segment is ``grid[R][FM - 1]`` with
FM = floor((F + M + 1) / 2), i.e. the mean of F and M rounded half up. Customers without a
purchase get scores 0, score string ``000`` and the segment ``Prospect``.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = ["NO_PURCHASE_SEGMENT", "fm_scores", "quintile_scores", "rfm_segments"]

NO_PURCHASE_SEGMENT = "Prospect"


def quintile_scores(values: npt.ArrayLike, *, higher_is_better: bool = True
                    ) -> npt.NDArray[np.int64]:
    """Scores 1-5 by mid-rank percentile; ties share a score."""
    array = np.asarray(values, dtype=np.float64)
    if not array.size:
        return np.empty(0, dtype=np.int64)
    ranks = pd.Series(array if higher_is_better else -array).rank(method="average").to_numpy()
    scores = 1 + np.floor(5.0 * (ranks - 0.5) / array.size)
    return np.asarray(np.clip(scores, 1, 5), dtype=np.int64)


def fm_scores(f: npt.ArrayLike, m: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """FM = floor((F + M + 1) / 2), kept within 1-5: the grid column of each (F, M)."""
    fa, ma = (np.asarray(v, dtype=np.int64) for v in (f, m))
    return np.asarray(np.clip((fa + ma + 1) // 2, 1, 5), dtype=np.int64)


def rfm_segments(r: npt.ArrayLike, f: npt.ArrayLike, m: npt.ArrayLike,
                 grid: dict[int, list[str]]) -> npt.NDArray[np.object_]:
    """The segment name of each (R, F, M); a score of 0 (no purchase) gives ``Prospect``."""
    ra = np.asarray(r, dtype=np.int64)
    table = np.array([[NO_PURCHASE_SEGMENT] * 5] + [grid[score] for score in range(1, 6)],
                     dtype=object)
    fm = fm_scores(f, m)
    names = table[ra, fm - 1]
    return np.where(ra == 0, NO_PURCHASE_SEGMENT, names).astype(object)
