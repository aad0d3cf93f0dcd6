"""The one pipeline of purchase-based traits: ``suitepulse analyze`` and the enrich step of
a run both call ``model_customers``, so the same transactions give the same traits.

Steps: summarise purchases up to ``as_of``; split the history into calibration and hold-out
(``holdout_weeks``, by default a third of the time since the first purchase) and fit each
candidate model on the calibration part; ``auto`` takes the model with the highest hold-out
log-likelihood among those whose calibration fit is not degenerate (among all if every one
is); fit it (and Gamma-Gamma) on the whole history (``auto`` moves on to the next model when
that fit is degenerate); check the fit; predict; and leave the value traits empty (NaN)
with the reasons when there are fewer than
``min_repeat_buyers`` repeat buyers, no hold-out to test on, a hold-out RMSE above the naive
forecast's, or a degenerate fit.

Recency rule (RFM and ``days_since_last_purchase``): whole days from ``as_of`` to the last
purchase occasion, rounded down: ``(as_of - last) // 1 day``. Scores are quintiles of that.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from enrichment.backtest import Backtest, backtest_model, spend_frequency_correlation
from enrichment.fit_checks import fit_problems
from enrichment.holdout import HoldoutSplit, split_history
from enrichment.intervals import Bands, prediction_bands
from enrichment.mle import single_threaded_blas
from enrichment.purchase_models import (
    MODEL_KINDS,
    FittedPurchaseModel,
    ModelName,
    fit_purchase_model,
)
from enrichment.rfm import quintile_scores
from enrichment.settings import ModelChoice, ValueModelSettings
from enrichment.summary import PurchaseSummary, epoch_ns, summarize_purchases
from enrichment.value import (
    CustomerValue,
    FittedModels,
    fit_models,
    params_document,
    predict_value,
)

__all__ = ["VALUE_TRAITS", "CustomerModel", "ValueModelReport", "model_customers"]

FloatArray = npt.NDArray[np.float64]
_NS_PER_DAY = 86_400 * 10**9
_FALLBACK = ModelName.MBGNBD
VALUE_TRAITS = ("expected_purchases", "p_alive", "churn_risk", "expected_avg_value", "clv",
                "clv_p10", "clv_p90", "potential_value")
"""The traits left empty when the value model is not trusted."""


@dataclass(frozen=True)
class ValueModelReport:
    """What was fitted, why that model, how it did on the hold-out, and whether its value
    traits are written (``reasons`` say why not)."""

    model: str | None
    chosen_by: str
    fitted_at: str
    params: dict[str, Any] | None
    repeat_buyers: int
    written: bool
    reasons: list[str]
    problems: list[str]
    backtest: dict[str, Any] | None
    candidates: list[dict[str, Any]] = field(default_factory=list)
    spend_frequency_correlation: float | None = None
    horizon_days: int | None = None
    """The CLV horizon of this fit (``value_model.horizon_days``)."""
    annual_discount_rate: float | None = None
    """The yearly rate that discounted this fit's CLV (``value_model.annual_discount_rate``)."""

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-safe data (non-finite numbers become None) for output and the store."""
        document: dict[str, Any] = _json_safe({"model": self.model, "chosen_by": self.chosen_by,
                "fitted_at": self.fitted_at, "params": self.params,
                "repeat_buyers": self.repeat_buyers, "value_traits_written": self.written,
                "reasons": self.reasons, "problems": self.problems,
                "backtest": self.backtest, "candidates": self.candidates,
                "spend_frequency_correlation": self.spend_frequency_correlation,
                "horizon_days": self.horizon_days,
                "annual_discount_rate": self.annual_discount_rate})
        return document


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, float | np.floating):
        return float(value) if np.isfinite(value) else None
    return value


@dataclass(frozen=True)
class CustomerModel:
    """Per customer of ``summary`` (aligned arrays): value predictions (NaN where not
    written), bands, recency in whole days and RFM scores; and the report."""

    summary: PurchaseSummary
    value: CustomerValue
    bands: Bands | None
    days_since: npt.NDArray[np.int64]
    r_score: npt.NDArray[np.int64]
    f_score: npt.NDArray[np.int64]
    m_score: npt.NDArray[np.int64]
    report: ValueModelReport
    backtests: list[Backtest]
    split: HoldoutSplit | None


def model_customers(customer: npt.ArrayLike, occurred_at: npt.ArrayLike,
                    amount: npt.ArrayLike, *, as_of: pd.Timestamp,
                    settings: ValueModelSettings, compare_all: bool = False) -> CustomerModel:
    """Every purchase-based prediction of the customers in ``customer, occurred_at, amount``.

    ``compare_all`` backtests every model even when one is configured (``--backtest``).
    """
    occurred_at = epoch_ns(occurred_at).astype("datetime64[ns]")
    summary = summarize_purchases(customer, occurred_at, amount, end=as_of,
                                  granularity=settings.granularity,
                                  time_unit=settings.time_unit)
    days_since = np.asarray((int(as_of.value) - summary.last_at.astype(np.int64))
                            // _NS_PER_DAY, dtype=np.int64)
    scores = (quintile_scores(days_since, higher_is_better=False),
              quintile_scores(summary.occasions), quintile_scores(summary.total_value))
    with single_threaded_blas():
        return _modelled(summary, days_since, scores, customer, occurred_at, amount, as_of,
                         settings, compare_all)


def _modelled(summary: PurchaseSummary, days_since: npt.NDArray[np.int64],
              scores: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64],
                            npt.NDArray[np.int64]], customer: npt.ArrayLike,
              occurred_at: npt.ArrayLike, amount: npt.ArrayLike, as_of: pd.Timestamp,
              settings: ValueModelSettings, compare_all: bool) -> CustomerModel:
    repeat_buyers = int((summary.frequency > 0).sum())
    if not len(summary):
        report = ValueModelReport(None, "no purchases", as_of.isoformat(), None, 0, False,
                                  ["no purchases"], [], None)
        return CustomerModel(summary, _empty_value(0), None, days_since, *scores,
                             report=report, backtests=[], split=None)
    split = split_history(customer, occurred_at, amount, end=as_of,
                          holdout=_holdout(summary, as_of, settings),
                          granularity=settings.granularity, time_unit=settings.time_unit)
    auto = settings.model is ModelChoice.AUTO
    names = list(ModelName) if auto or compare_all else [ModelName(settings.model.value)]
    backtests = _backtests(names, split)
    chosen, chosen_by = _choose(settings.model, backtests, str(settings.time_unit))
    models = fit_models(summary, settings.time_unit, chosen)
    problems = fit_problems(models.purchases)
    if auto and problems:
        chosen, chosen_by, models, problems = _next_sound(
            summary, settings, backtests, chosen, chosen_by, models, problems)
    check = next((b for b in backtests if b.model == chosen), None)
    reasons = _reasons(repeat_buyers, settings.min_repeat_buyers, check, problems)
    value = predict_value(models, summary, horizon_days=settings.horizon_days,
                          annual_discount_rate=settings.annual_discount_rate)
    bands = None
    if reasons:
        value = _empty_value(len(summary))
    else:
        bands = prediction_bands(models.purchases, summary, settings.time_unit,
                                 horizon_days=settings.horizon_days,
                                 annual_discount_rate=settings.annual_discount_rate,
                                 draws=settings.interval_draws)
    document = params_document(models)
    for kind in MODEL_KINDS.values():
        document.setdefault(kind.document_key, None)
    report = ValueModelReport(
        model=str(chosen), chosen_by=chosen_by, fitted_at=as_of.isoformat(),
        params=document, repeat_buyers=repeat_buyers, written=not reasons, reasons=reasons,
        problems=problems, backtest=None if check is None else check.as_dict(),
        candidates=[{"model": b.model, "holdout_log_likelihood": b.holdout_log_likelihood,
                     "rmse": b.rmse, "brier": b.brier} for b in backtests],
        spend_frequency_correlation=spend_frequency_correlation(summary.frequency,
                                                                summary.monetary_value),
        horizon_days=settings.horizon_days, annual_discount_rate=settings.annual_discount_rate)
    return CustomerModel(summary, value, bands, days_since, *scores, report=report,
                         backtests=backtests, split=split)


def _holdout(summary: PurchaseSummary, as_of: pd.Timestamp,
             settings: ValueModelSettings) -> pd.Timedelta:
    if settings.holdout_weeks is not None:
        return pd.Timedelta(weeks=settings.holdout_weeks)
    first = int(summary.first_at.astype(np.int64).min())
    span_days = max((int(as_of.value) - first) // _NS_PER_DAY, 3)
    return pd.Timedelta(days=span_days // 3)


def _backtests(names: list[ModelName], split: HoldoutSplit | None) -> list[Backtest]:
    if split is None or split.customers < 2:
        return []
    cal = split.calibration
    fits: list[FittedPurchaseModel] = [
        fit_purchase_model(name, cal.frequency, cal.recency, cal.T, grouped=cal.groups)
        for name in names]
    return [backtest_model(model, split) for model in fits]


def _choose(choice: ModelChoice, backtests: list[Backtest], unit: str
            ) -> tuple[ModelName, str]:
    if choice is not ModelChoice.AUTO:
        return ModelName(choice.value), "configured"
    finite = [b for b in backtests if np.isfinite(b.holdout_log_likelihood)]
    sound = [b for b in finite if not b.fit_problems]
    skipped = ""
    if sound and len(sound) < len(finite):
        skipped = "; not " + ", ".join(
            MODEL_KINDS[ModelName(b.model)].label for b in finite if b.fit_problems) + \
            " (degenerate fit on the calibration period)"
        finite = sound
    if not finite:
        return _FALLBACK, (f"auto: no hold-out to compare the models on; "
                           f"{MODEL_KINDS[_FALLBACK].label} (drop-out possible after any "
                           "purchase) by default")
    best = max(finite, key=lambda b: b.holdout_log_likelihood)
    others = ", ".join(f"{MODEL_KINDS[ModelName(b.model)].label} "
                       f"{b.holdout_log_likelihood:.1f}" for b in finite if b is not best)
    label = MODEL_KINDS[ModelName(best.model)].label
    return ModelName(best.model), (
        f"auto: {label} has the highest hold-out log-likelihood "
        f"({best.holdout_log_likelihood:.1f}; {others or 'no other model'}) over "
        f"{best.customers} customers and a hold-out of {best.holdout_length:g} {unit}s"
        f"{skipped}")


def _next_sound(summary: PurchaseSummary, settings: ValueModelSettings,
                backtests: list[Backtest], chosen: ModelName, chosen_by: str,
                models: FittedModels, problems: list[str]
                ) -> tuple[ModelName, str, FittedModels, list[str]]:
    """``auto``'s choice is degenerate on the whole history: the next model by hold-out
    log-likelihood whose fit there is sound, if any (else the first choice stays)."""
    ranked = sorted((b for b in backtests if b.model != chosen
                     and np.isfinite(b.holdout_log_likelihood)),
                    key=lambda b: b.holdout_log_likelihood, reverse=True)
    for candidate in ranked:
        name = ModelName(candidate.model)
        other = fit_models(summary, settings.time_unit, name)
        if not fit_problems(other.purchases):
            label = MODEL_KINDS[chosen].label
            return name, (f"auto: {MODEL_KINDS[name].label}, the next by hold-out "
                          f"log-likelihood ({candidate.holdout_log_likelihood:.1f}): the fit "
                          f"of {label} on the whole history is degenerate "
                          f"({chosen_by})"), other, []
    return chosen, chosen_by, models, problems


def _reasons(repeat_buyers: int, minimum: int, check: Backtest | None,
             problems: list[str]) -> list[str]:
    reasons = []
    if repeat_buyers < minimum:
        reasons.append(f"only {repeat_buyers} repeat buyers (min_repeat_buyers is {minimum})")
    if check is None:
        reasons.append("no hold-out period to test the model on")
    elif not check.beats_naive:
        reasons.append(f"the model predicts the hold-out worse than the naive forecast "
                       f"(RMSE {check.rmse:.3f} vs {check.naive_rmse:.3f})")
    return reasons + problems


def _empty_value(n: int) -> CustomerValue:
    nan = np.full(n, np.nan)
    return CustomerValue(nan, nan.copy(), nan.copy(), nan.copy(), nan.copy())
