"""Scheduler pieces: which tick is due, and one claim per tick across processes."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from click.testing import Result

from sync.pipeline import PipelineResult
from sync.run_summary import RunSummary, StreamResult
from sync.scheduler import STOP, StoppingExecutor, _run_line, claim_tick, latest_fire_time
from sync.store import Store
from tests.conftest import VALID_CLIENT


def test_latest_fire_time_in_the_client_timezone() -> None:
    now = datetime(2026, 3, 2, 9, 47, 12, tzinfo=UTC)
    assert latest_fire_time("*/30 * * * *", "UTC", now) == datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    # 02:00 in Berlin (UTC+1 in winter) is 01:00 UTC; at 00:30 UTC the last one was yesterday
    daily = latest_fire_time("0 2 * * *", "Europe/Berlin", datetime(2026, 3, 2, 0, 30,
                                                                    tzinfo=UTC))
    assert daily == datetime(2026, 3, 1, 1, 0, tzinfo=UTC)
    monthly = latest_fire_time("0 0 1 * *", "UTC", now)
    assert monthly == datetime(2026, 3, 1, tzinfo=UTC)


def test_a_tick_is_claimed_once(store: Store) -> None:
    tick = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    assert claim_tick(store, "sync:acme", tick) is True
    assert claim_tick(store, "sync:acme", tick) is False
    assert claim_tick(store, "sync:globex", tick) is True
    assert claim_tick(store, "sync:acme", tick.replace(minute=31)) is True


def test_a_job_due_during_shutdown_is_logged_not_a_traceback(
        caplog: pytest.LogCaptureFixture) -> None:
    executor = StoppingExecutor(2)
    scheduler = BackgroundScheduler(executors={"default": executor})
    scheduler.start(paused=True)
    job = scheduler.add_job(print, "date", run_date=datetime(2030, 1, 1, tzinfo=UTC),
                            id="sync:acme")
    STOP.set()
    try:
        scheduler.shutdown(wait=True)
        with caplog.at_level(logging.INFO, logger="sync.scheduler"):
            executor.submit_job(job, [datetime.now(UTC)])  # the pool is shut: must not raise
    finally:
        STOP.clear()
    assert "job sync:acme not started: the scheduler is stopping" in caplog.text


def test_schedule_logs_its_runs_at_info_by_default(run_cli: Callable[..., Result],
                                                   write_client: Callable[[str, str], Path],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    levels: list[int] = []
    monkeypatch.setenv("ACME_SECRET", "s3cr3t-value-9f2")
    monkeypatch.setattr("cli.commands.schedule_cmd.serve", lambda *_a, **_k: levels.append(
        logging.getLogger("sync.scheduler").getEffectiveLevel()))
    logger = logging.getLogger("sync.scheduler")
    monkeypatch.setattr(logger, "level", logging.NOTSET)
    write_client("acme", VALID_CLIENT + "schedule:\n  cron: '0 3 * * *'\n  timezone: UTC\n")
    assert run_cli("schedule").exit_code == 0
    assert levels == [logging.INFO]


def test_the_run_line_names_client_outcome_counts_duration_and_run() -> None:
    summary = RunSummary("run-7", "acme", datetime(2026, 3, 2, tzinfo=UTC), False,
                         streams={"Contacts": StreamResult("Contacts", new=3, changed=2,
                                                           unchanged=5, rejected=1)})
    line = _run_line("acme", PipelineResult(summary), 12.34)
    assert line == ("scheduled run of acme: ok; read 11, new 3, changed 2, rejected 1, "
                    "deleted 0; 12.3 s; run run-7")
