"""How the value model's report and backtests read on a terminal (analyze, run, status)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from enrichment.backtest import Backtest
from enrichment.customer_model import ValueModelReport

__all__ = ["backtest_table", "model_lines", "report_lines"]


def model_lines(report: ValueModelReport) -> list[str]:
    """The model, why it was chosen, its parameters, and whether value traits are written."""
    return report_lines(report.as_dict())


def report_lines(report: Mapping[str, Any]) -> list[str]:
    """``model_lines`` of a report document (as kept in the store)."""
    model = report.get("model")
    if model is None:
        return [f"value model: none ({'; '.join(report.get('reasons') or [])})"]
    params = report.get("params") or {}
    key = {"bgnbd": "bgnbd", "mbgnbd": "mbgnbd", "pnbd": "pareto_nbd"}.get(model, model)
    fitted = params.get(key) or {}
    shown = " ".join(f"{name}={value:.4g}" for name, value in fitted.items()
                     if isinstance(value, float) and name != "log_likelihood")
    lines = [f"value model: {model} ({report.get('chosen_by')}); {shown}; "
             f"fitted at {report.get('fitted_at')}; "
             f"{report.get('repeat_buyers')} repeat buyers"]
    check = report.get("backtest")
    if check:
        lines.append(f"hold-out check: RMSE {check['rmse']:.3f} (naive "
                     f"{check['naive_rmse']:.3f}), MAE {check['mae']:.3f} (naive "
                     f"{check['naive_mae']:.3f}), Brier {check['brier']:.3f} over "
                     f"{check['customers']} customers")
    lines += [f"fit problem: {problem}" for problem in report.get("problems") or []]
    if report.get("value_traits_written"):
        lines.append("value traits written")
    else:
        lines.append("value traits NOT written: " + "; ".join(report.get("reasons") or []))
    return lines


def backtest_table(backtests: Sequence[Backtest]) -> str:
    """One line per model: the hold-out measures, as plain aligned text."""
    head = (f"{'model':<8}{'customers':>10}{'actual':>9}{'predicted':>11}{'bias':>8}"
            f"{'MAE':>8}{'naive MAE':>11}{'RMSE':>8}{'naive RMSE':>12}{'Brier':>8}"
            f"{'AUC':>7}{'hold-out LL':>13}")
    lines = ["backtest on the hold-out:", head]
    for b in backtests:
        shown_auc = "-" if b.auc is None else f"{b.auc:.3f}"
        lines.append(f"{b.model:<8}{b.customers:>10}{b.actual_total:>9.0f}"
                     f"{b.predicted_total:>11.1f}{b.bias:>+8.1%}{b.mae:>8.3f}"
                     f"{b.naive_mae:>11.3f}{b.rmse:>8.3f}{b.naive_rmse:>12.3f}"
                     f"{b.brier:>8.3f}{shown_auc:>7}"
                     f"{b.holdout_log_likelihood:>13.1f}")
    if backtests:
        lines.append("per calibration frequency (mean hold-out purchases, actual / predicted):")
        buckets = [bucket.frequency for bucket in backtests[0].buckets]
        lines.append(f"{'model':<8}" + "".join(f"{label:>14}" for label in buckets))
        for b in backtests:
            lines.append(f"{b.model:<8}" + "".join(
                f"{f'{k.actual:.2f} / {k.predicted:.2f}':>14}" for k in b.buckets))
    return "\n".join(lines)
