"""How the value model's report and backtests read on a terminal (analyze, run, status)."""

from __future__ import annotations

from collections.abc import Sequence

from enrichment.backtest import Backtest
from enrichment.customer_model import ValueModelReport
from enrichment.value_report import report_lines

__all__ = ["backtest_table", "model_lines", "report_lines"]


def model_lines(report: ValueModelReport) -> list[str]:
    """The model, why it was chosen, its parameters, and whether value traits are written."""
    return report_lines(report.as_dict())


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
        lines.append("cumulative hold-out purchases (actual / predicted) by week:")
        weeks = backtests[0].tracking
        shown = sorted({weeks[min(len(weeks) - 1, round(q * len(weeks)) - 1)].week
                        for q in (0.25, 0.5, 0.75, 1.0)} if weeks else set())
        lines.append(f"{'model':<8}" + "".join(f"{f'week {w}':>18}" for w in shown))
        for b in backtests:
            at = {w.week: w for w in b.tracking}
            lines.append(f"{b.model:<8}" + "".join(
                f"{f'{at[w].actual:.0f} / {at[w].predicted:.0f}':>18}" for w in shown))
    return "\n".join(lines)
