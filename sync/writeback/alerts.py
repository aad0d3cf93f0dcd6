"""Alerts write-back calls for: a push or undo that failed, was rejected in part or was
interrupted, and runs a dead process left unfinished. Ids and counts only."""

from __future__ import annotations

from collections.abc import Sequence

from sync.alerts import Alert
from sync.config import ClientConfig
from sync.run_summary import Outcome
from sync.store.runs import RunRecord
from sync.writeback.push import PushReport

__all__ = ["interrupted_alerts", "push_alerts"]


def push_alerts(config: ClientConfig, report: PushReport, trigger: str) -> list[Alert]:
    """``push_failed`` (failed, interrupted) or ``push_rejected`` for a finished push/undo."""
    outcome = report.outcome
    if outcome is Outcome.OK or report.dry_run:
        return []
    details = {"run_id": report.run_id, "trigger": trigger, **report.summary()}
    if outcome is Outcome.REJECTED:
        return [Alert(config.client, "push_rejected",
                      f"{trigger} of {config.client}: {len(report.rejected)} records rejected "
                      f"by SuiteCRM, {report.records_written} written", details)]
    return [Alert(config.client, "push_failed",
                  f"{trigger} of {config.client} {outcome.value}: {report.records_written} "
                  f"records written, {len(report.failed)} failed, {report.not_sent} not sent",
                  details)]


def interrupted_alerts(config: ClientConfig, runs: Sequence[RunRecord]) -> list[Alert]:
    """One ``run_interrupted`` alert per run a dead process left ``running``."""
    return [Alert(config.client, "run_interrupted",
                  f"{run.trigger} run {run.id} of {config.client} was interrupted: its process "
                  f"ended before the run finished",
                  {"run_id": run.id, "trigger": run.trigger,
                   "started_at": run.started_at.isoformat()}) for run in runs]
