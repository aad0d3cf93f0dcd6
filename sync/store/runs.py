"""Run history: each run with start, end, counts per stream, errors and outcome."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, desc, insert, select, update

from sync.store.schema import RUNS

__all__ = ["ABANDONED", "WRITEBACK_TRIGGERS", "RunRecord", "finish_run", "interrupt_abandoned",
           "last_success", "recent_runs", "running_ids", "start_run"]

ABANDONED = "the process ended before the run finished (killed, or its machine stopped)"
"""The error an abandoned run is recorded with when it is named ``interrupted``."""

WRITEBACK_TRIGGERS = ("push", "undo")
"""Triggers of the runs write-back records in the history."""


@dataclass(frozen=True)
class RunRecord:
    """One run as the history keeps it."""

    id: str
    started_at: datetime
    finished_at: datetime | None
    outcome: str
    full: bool
    trigger: str
    counts: dict[str, dict[str, int]]
    errors: list[str]

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON output."""
        return {"id": self.id, "started_at": self.started_at.isoformat(),
                "finished_at": self.finished_at.isoformat() if self.finished_at else None,
                "outcome": self.outcome, "full": self.full, "trigger": self.trigger,
                "counts": self.counts, "errors": self.errors}


def start_run(connection: Connection, run_id: str, *, started_at: datetime, full: bool,
              trigger: str) -> None:
    """Record that a run began."""
    connection.execute(insert(RUNS).values(id=run_id, started_at=started_at, outcome="running",
                                           full=full, trigger=trigger, counts="{}",
                                           errors="[]"))


def finish_run(connection: Connection, run_id: str, *, finished_at: datetime, outcome: str,
               counts: Mapping[str, Mapping[str, int]], errors: Sequence[str]) -> None:
    """Record how a run ended."""
    connection.execute(update(RUNS).where(RUNS.c.id == run_id).values(
        finished_at=finished_at, outcome=outcome, counts=json.dumps(counts),
        errors=json.dumps(list(errors))))


def _record(row: Any) -> RunRecord:
    return RunRecord(id=row.id, started_at=row.started_at, finished_at=row.finished_at,
                     outcome=row.outcome, full=row.full, trigger=row.trigger,
                     counts=json.loads(row.counts), errors=json.loads(row.errors))


def recent_runs(connection: Connection, limit: int = 10) -> list[RunRecord]:
    """The latest runs, newest first."""
    rows = connection.execute(select(RUNS).order_by(desc(RUNS.c.started_at)).limit(limit))
    return [_record(row) for row in rows]


def last_success(connection: Connection) -> datetime | None:
    """When the last sync that finished well (ok or with rejected records) ended.

    Write-back's push and undo runs (triggers ``push`` and ``undo``) do not count: they
    bring no new data in.
    """
    return connection.execute(select(RUNS.c.finished_at).where(
        RUNS.c.outcome.in_(("ok", "rejected")),
        RUNS.c.trigger.notin_(WRITEBACK_TRIGGERS)).order_by(desc(RUNS.c.finished_at)).limit(
        1)).scalar()


def interrupt_abandoned(connection: Connection, *, now: datetime,
                        done: Mapping[str, Mapping[str, Mapping[str, int]]] | None = None
                        ) -> list[RunRecord]:
    """Name every run still ``running`` ``interrupted``: call it holding the client's lock,
    when no run of the client can be alive. ``done`` adds counts (run id -> counts) of what
    the runs got done. Returns the runs as they were."""
    rows = [_record(row) for row in connection.execute(
        select(RUNS).where(RUNS.c.outcome == "running").order_by(RUNS.c.started_at))]
    for run in rows:
        counts = {**run.counts, **((done or {}).get(run.id) or {})}
        connection.execute(update(RUNS).where(RUNS.c.id == run.id).values(
            finished_at=now, outcome="interrupted", counts=json.dumps(counts),
            errors=json.dumps([*run.errors, ABANDONED])))
    return rows


def running_ids(connection: Connection) -> list[str]:
    """The ids of the runs recorded as ``running``."""
    return list(connection.execute(select(RUNS.c.id).where(RUNS.c.outcome == "running")).scalars())
