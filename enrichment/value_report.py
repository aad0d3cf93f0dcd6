"""The value model's report (``ValueModelReport.as_dict()``, as stored) in a few lines of
text: for the terminal (analyze, run, push, status) and the HTML report alike."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["report_lines"]

_DOCUMENT_KEYS = {"bgnbd": "bgnbd", "mbgnbd": "mbgnbd", "pnbd": "pareto_nbd"}


def report_lines(report: Mapping[str, Any]) -> list[str]:
    """``model_lines`` of a report document (as kept in the store)."""
    model = report.get("model")
    if model is None:
        return [f"value model: none ({'; '.join(report.get('reasons') or [])})"]
    params = report.get("params") or {}
    key = _DOCUMENT_KEYS.get(model, model)
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
    correlation = report.get("spend_frequency_correlation")
    if correlation is not None:
        lines.append(f"Gamma-Gamma check: correlation of frequency and mean spend "
                     f"{correlation:+.2f} (the model assumes 0)")
    lines += [f"fit problem: {problem}" for problem in report.get("problems") or []]
    if report.get("value_traits_written"):
        lines.append("value traits written")
    else:
        lines.append("value traits NOT written: " + "; ".join(report.get("reasons") or []))
    return lines
