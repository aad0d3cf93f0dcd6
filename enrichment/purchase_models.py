"""The purchase models (BG/NBD, MBG/NBD, Pareto/NBD) behind one fitted-model type.

Every model is fitted by maximum likelihood over log parameters ``theta`` (positive
parameters, bounded by ``mle.LOG_BOUND``) with times rescaled so that max T is 10 while
fitting; the time-scale parameters (alpha, and beta of Pareto/NBD) are moved back to the
data's unit afterwards, which moves the maximum exactly. The covariance of ``theta`` is the
inverse Hessian of the negative log-likelihood at the maximum (``None`` where that Hessian is
not positive definite). Every model predicts ``p_alive`` and ``purchases_if_alive`` (which
depends on x and T only), and expected purchases are their product.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from enrichment import bgnbd, mbgnbd, pareto_nbd
from enrichment.mle import (
    Grouped,
    LogLikelihood,
    group_rows,
    maximize_log_likelihood,
    mean_curvature,
)

__all__ = ["MODEL_KINDS", "FittedPurchaseModel", "ModelKind", "ModelName",
           "fit_purchase_model"]

FloatArray = npt.NDArray[np.float64]
_WARM_START_GROUPS = 40_000


class ModelName(StrEnum):
    """The purchase models one can choose (``auto`` chooses among them on evidence)."""

    BGNBD = "bgnbd"
    MBGNBD = "mbgnbd"
    PNBD = "pnbd"


@dataclass(frozen=True)
class ModelKind:
    """What one model is: its parameters, likelihood and predictions over ``theta``."""

    name: ModelName
    label: str
    document_key: str
    param_names: tuple[str, ...]
    time_params: tuple[bool, ...]
    log_likelihood: Callable[[Grouped, npt.NDArray[np.intp], float], LogLikelihood]
    row_log_likelihood: Callable[[FloatArray, FloatArray, FloatArray, FloatArray], FloatArray]
    p_alive: Callable[[FloatArray, FloatArray, FloatArray, FloatArray], FloatArray]
    purchases_if_alive: Callable[[FloatArray, float, FloatArray, FloatArray], FloatArray]


def _bg_theta(theta: FloatArray) -> bgnbd.BgNbdParams:
    r, alpha, a, b = (float(v) for v in np.exp(theta))
    return bgnbd.BgNbdParams(r=r, alpha=alpha, a=a, b=b, log_likelihood=float("nan"))


def _bg_log_likelihood(grouped: Grouped, rows: npt.NDArray[np.intp], scale: float
                       ) -> LogLikelihood:
    return bgnbd._log_likelihood(grouped, grouped.counts, rows, scale)


def _bg_rows(theta: FloatArray, x: FloatArray, t_x: FloatArray, T: FloatArray) -> FloatArray:
    p = _bg_theta(theta)
    base, a3, a4 = bgnbd._terms(p.r, p.alpha, p.a, p.b, x, t_x, T)
    return np.asarray(base + np.logaddexp(a3, a4), dtype=np.float64)


MODEL_KINDS: dict[ModelName, ModelKind] = {
    ModelName.BGNBD: ModelKind(
        ModelName.BGNBD, "BG/NBD", "bgnbd", ("r", "alpha", "a", "b"),
        (False, True, False, False), _bg_log_likelihood, _bg_rows,
        lambda theta, x, t_x, T: bgnbd.p_alive(_bg_theta(theta), x, t_x, T),
        lambda theta, t, x, T: bgnbd.purchases_if_alive(_bg_theta(theta), t, x, T)),
    ModelName.MBGNBD: ModelKind(
        ModelName.MBGNBD, "MBG/NBD", "mbgnbd", ("r", "alpha", "a", "b"),
        (False, True, False, False), mbgnbd.log_likelihood, mbgnbd.row_log_likelihood,
        mbgnbd.p_alive, mbgnbd.purchases_if_alive),
    ModelName.PNBD: ModelKind(
        ModelName.PNBD, "Pareto/NBD", "pareto_nbd", ("r", "alpha", "s", "beta"),
        (False, True, False, True), pareto_nbd.log_likelihood, pareto_nbd.row_log_likelihood,
        pareto_nbd.p_alive, pareto_nbd.purchases_if_alive),
}
"""Every model by name."""


@dataclass(frozen=True)
class FittedPurchaseModel:
    """A fitted purchase model: ``theta`` in the data's time unit, its covariance, and how
    the fit went (``scaled_theta`` are the log parameters as the optimiser saw them)."""

    kind: ModelKind
    theta: FloatArray
    log_likelihood: float
    covariance: FloatArray | None
    scaled_theta: FloatArray
    customers: int

    @property
    def params(self) -> dict[str, float]:
        """The parameters by name."""
        return {name: float(v) for name, v in
                zip(self.kind.param_names, np.exp(self.theta), strict=True)}

    @property
    def standard_errors(self) -> dict[str, float] | None:
        """Delta-method standard errors of the parameters (None without a covariance)."""
        if self.covariance is None:
            return None
        spread = np.sqrt(np.clip(np.diag(self.covariance), 0.0, None)) * np.exp(self.theta)
        return {name: float(v) for name, v in zip(self.kind.param_names, spread, strict=True)}

    def with_theta(self, theta: FloatArray) -> FittedPurchaseModel:
        """The same model at other parameters (for draws from the sampling distribution)."""
        return FittedPurchaseModel(self.kind, theta, float("nan"), None, theta, self.customers)

    def p_alive(self, x: FloatArray, t_x: FloatArray, T: FloatArray) -> FloatArray:
        """P(alive at T) of each customer."""
        return self.kind.p_alive(self.theta, x, t_x, T)

    def purchases_if_alive(self, t: float, x: FloatArray, T: FloatArray) -> FloatArray:
        """Expected purchases in (T, T+t] of a customer alive at T."""
        return self.kind.purchases_if_alive(self.theta, t, x, T)

    def expected_purchases(self, t: float, x: FloatArray, t_x: FloatArray,
                           T: FloatArray) -> FloatArray:
        """E[purchases in (T, T+t] | x, t_x, T], finite and not negative."""
        value = self.purchases_if_alive(t, x, T) * self.p_alive(x, t_x, T)
        return np.where(np.isfinite(value), np.maximum(value, 0.0), 0.0)

    def row_log_likelihood(self, x: FloatArray, t_x: FloatArray, T: FloatArray
                           ) -> FloatArray:
        """log L of each customer at the fitted parameters."""
        return self.kind.row_log_likelihood(self.theta, x, t_x, T)


def fit_purchase_model(name: ModelName, x: npt.ArrayLike, t_x: npt.ArrayLike,
                       T: npt.ArrayLike, *, grouped: Grouped | None = None
                       ) -> FittedPurchaseModel:
    """Fit one model by maximum likelihood on (x, t_x, T), with the covariance of theta.

    With many distinct rows, a fit on an evenly spaced sample of them gives the start and
    the curvature, so the fit on all rows needs few evaluations.
    """
    kind = MODEL_KINDS[name]
    grouped = grouped if grouped is not None else group_rows(x, t_x, T)
    counts = grouped.counts
    if not counts.size:
        raise ValueError("no customers to fit")
    scale = 10.0 / max(float(grouped.levels[2].max()), 1e-9)
    total = float(counts.sum())
    start, curvature = np.zeros(len(kind.param_names)), None
    if counts.size > _WARM_START_GROUPS:
        sample = np.arange(0, counts.size, counts.size // (_WARM_START_GROUPS // 2))
        sample_ll = kind.log_likelihood(grouped, sample, scale)
        weight = float(counts[sample].sum())
        start, _ = maximize_log_likelihood(sample_ll, start, total_weight=weight)
        curvature = mean_curvature(sample_ll, start, total_weight=weight)
    full = kind.log_likelihood(grouped, np.arange(counts.size), scale)
    scaled, _ = maximize_log_likelihood(full, start, total_weight=total, curvature=curvature)
    shift = np.log(scale) * np.asarray(kind.time_params, dtype=np.float64)
    theta = scaled - shift
    covariance = _covariance(mean_curvature(full, scaled, total_weight=total), total)
    log_l = float(counts @ kind.row_log_likelihood(theta, *grouped.columns))
    return FittedPurchaseModel(kind, theta, log_l, covariance, scaled, int(total))


def _covariance(mean_hessian: FloatArray, total: float) -> FloatArray | None:
    """The inverse of the total Hessian, or None where it is not positive definite."""
    hessian = mean_hessian * max(total, 1.0)
    if not np.all(np.isfinite(hessian)):
        return None
    try:
        np.linalg.cholesky(hessian)
    except np.linalg.LinAlgError:
        return None
    return np.asarray(np.linalg.inv(hessian), dtype=np.float64)
