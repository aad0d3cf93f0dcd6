"""How well a fitted purchase model predicts a hold-out it has not seen.

For a model fitted on the calibration period of a ``HoldoutSplit``, per customer of the
cohort: predicted repeat purchases in the hold-out E[Y(length) | x, t_x, T] and P(alive) at
the end of calibration, against the actual repeat purchases. Measures:

* ``mae``: mean absolute error of purchases per customer; ``naive_mae`` the same for the
  naive forecast (as many as in the period of the same length just before); ``rmse`` and
  ``naive_rmse`` the root mean squared errors. A model "beats naive" on RMSE: its predictions
  are expectations, which squared error rewards, while absolute error rewards predicting the
  median (0 for most customers), which the naive forecast mostly does;
* ``bias``: (predicted total - actual total) / actual total;
* ``brier``: mean (P(alive) - bought)^2 and ``auc``: the chance that a customer who bought in
  the hold-out has a higher P(alive) than one who did not (ties count half), with bought =
  at least one purchase in the hold-out;
* ``holdout_log_likelihood``: sum of log L(whole period) - log L(calibration) at the
  calibration fit, i.e. the log density of what happened in the hold-out given the
  calibration data; ``auto`` picks the model with the highest;
* ``buckets``: mean predicted and actual per calibration frequency 0, 1, ..., 6, 7+;
* ``tracking``: cumulative actual and predicted repeat purchases of the cohort at the end
  of each week of the hold-out.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from enrichment.fit_checks import fit_problems
from enrichment.holdout import HoldoutSplit
from enrichment.purchase_models import FittedPurchaseModel

__all__ = ["Backtest", "Bucket", "Week", "auc", "backtest_model",
           "spend_frequency_correlation"]

FloatArray = npt.NDArray[np.float64]
_TOP_BUCKET = 7


@dataclass(frozen=True)
class Bucket:
    """Customers of one calibration frequency and their mean hold-out purchases."""

    frequency: str
    customers: int
    actual: float
    predicted: float


@dataclass(frozen=True)
class Week:
    """Cumulative repeat purchases of the cohort from the start of the hold-out."""

    week: int
    actual: float
    predicted: float


@dataclass(frozen=True)
class Backtest:
    """The measures of the module docstring for one model."""

    model: str
    customers: int
    holdout_length: float
    actual_total: float
    predicted_total: float
    mae: float
    naive_mae: float
    rmse: float
    naive_rmse: float
    bias: float
    brier: float
    auc: float | None
    holdout_log_likelihood: float
    buckets: list[Bucket]
    tracking: list[Week]
    fit_problems: list[str]

    @property
    def beats_naive(self) -> bool:
        """Whether the model's RMSE is not above the naive forecast's."""
        return self.rmse <= self.naive_rmse

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON output."""
        return asdict(self)


def backtest_model(model: FittedPurchaseModel, split: HoldoutSplit) -> Backtest:
    """The measures of ``model`` (fitted on ``split.calibration``) on the hold-out."""
    cal = split.calibration
    predicted = model.expected_purchases(split.length, cal.frequency, cal.recency, cal.T)
    alive = np.clip(np.nan_to_num(model.p_alive(cal.frequency, cal.recency, cal.T)), 0, 1)
    actual = split.actual
    bought = (actual > 0).astype(np.float64)
    with np.errstate(all="ignore"):
        gain = (model.row_log_likelihood(split.full_x, split.full_t_x, split.full_T)
                - model.row_log_likelihood(cal.frequency, cal.recency, cal.T))
    total = float(actual.sum())
    return Backtest(
        model=str(model.kind.name), customers=split.customers,
        holdout_length=split.length, actual_total=total,
        predicted_total=float(predicted.sum()),
        mae=float(np.mean(np.abs(predicted - actual))),
        naive_mae=float(np.mean(np.abs(split.naive - actual))),
        rmse=float(np.sqrt(np.mean((predicted - actual) ** 2))),
        naive_rmse=float(np.sqrt(np.mean((split.naive - actual) ** 2))),
        bias=float((predicted.sum() - total) / total) if total > 0 else float("nan"),
        brier=float(np.mean((alive - bought) ** 2)),
        auc=auc(alive, bought > 0),
        holdout_log_likelihood=float(np.sum(gain)) if np.all(np.isfinite(gain))
        else float("-inf"),
        buckets=_buckets(cal.frequency, actual, predicted),
        fit_problems=fit_problems(model),
        tracking=[Week(k + 1, float(done), float(model.expected_purchases(
            float(t), cal.frequency, cal.recency, cal.T).sum()))
            for k, (done, t) in enumerate(zip(split.weekly_actual, split.week_ends,
                                              strict=True))],
    )


def auc(score: npt.ArrayLike, positive: npt.ArrayLike) -> float | None:
    """Area under the ROC curve by mean ranks (ties count half); None with one class only."""
    s = np.asarray(score, dtype=np.float64)
    yes = np.asarray(positive, dtype=bool)
    n_yes, n_no = int(yes.sum()), int((~yes).sum())
    if not n_yes or not n_no:
        return None
    ranks = pd.Series(s).rank(method="average").to_numpy()
    return float((ranks[yes].sum() - n_yes * (n_yes + 1) / 2) / (n_yes * n_no))


def spend_frequency_correlation(frequency: npt.ArrayLike,
                                monetary_value: npt.ArrayLike) -> float | None:
    """Pearson correlation of frequency and mean spend of repeat buyers: Gamma-Gamma assumes
    they are independent (near 0). None with fewer than 3 repeat buyers."""
    x = np.asarray(frequency, dtype=np.float64)
    m = np.asarray(monetary_value, dtype=np.float64)
    keep = (x > 0) & (m > 0) & np.isfinite(m)
    if keep.sum() < 3 or np.ptp(x[keep]) == 0 or np.ptp(m[keep]) == 0:
        return None
    return float(np.corrcoef(x[keep], m[keep])[0, 1])


def _buckets(x: FloatArray, actual: FloatArray, predicted: FloatArray) -> list[Bucket]:
    level = np.minimum(x, _TOP_BUCKET).astype(np.int64)
    rows = []
    for value in range(_TOP_BUCKET + 1):
        here = level == value
        if here.any():
            label = f"{value}+" if value == _TOP_BUCKET else str(value)
            rows.append(Bucket(label, int(here.sum()), float(actual[here].mean()),
                               float(predicted[here].mean())))
    return rows
