"""``suitepulse schedule``: APScheduler 3 runs each client's job on its cron, in its timezone.

Jobs live in a persistent SQLAlchemy job store; missed runs are coalesced into one, and a
job never runs twice at once. Several scheduler processes may share one PostgreSQL state
store: each tick of a client is claimed by inserting (job, scheduled time) into ``ticks``,
so exactly one process runs it. SIGTERM lets the running page finish and checkpoint, then
the scheduler exits 0.
"""

from __future__ import annotations

import hashlib
import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.events import EVENT_SCHEDULER_STARTED
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger

from sync import pipeline
from sync.alerts import check_staleness, send_alert
from sync.config import LoadedConfig, client_path, data_dir, load_client
from sync.errors import StateError
from sync.store import Store
from sync.store.engine import create_store_engine
from sync.store.ticks import claim_tick as claim_store_tick
from sync.store.types import utc_now

__all__ = ["STOP", "StoppingExecutor", "claim_tick", "default_jobstore_url", "folder_key",
           "latest_fire_time", "scheduled_job", "serve", "staleness_job"]

log = logging.getLogger(__name__)

STOP = threading.Event()
"""Set on SIGTERM: running jobs stop after their current page's checkpoint."""

_STALENESS_MINUTES = 15


class StoppingExecutor(ThreadPoolExecutor):  # type: ignore[misc]  # untyped APScheduler
    """A thread pool that starts no job once STOP is set, so a tick due while the scheduler
    shuts down is logged and left, not a ``cannot schedule new futures`` traceback."""

    def submit_job(self, job: Any, run_times: list[datetime]) -> None:
        """Run ``job`` unless the scheduler is stopping."""
        if STOP.is_set():
            log.info("job %s not started: the scheduler is stopping", job.id)
            return
        super().submit_job(job, run_times)


def _run_line(client: str, result: pipeline.PipelineResult, seconds: float) -> str:
    """The one INFO line of a scheduled run: ids and counts only."""
    summary = result.sync
    streams = summary.streams.values()
    counts = (f"new {sum(s.new for s in streams)}, changed {sum(s.changed for s in streams)}, "
              f"rejected {summary.rejected}, deleted {sum(s.deleted for s in streams)}")
    pushed = f", wrote {len(result.push.changes)}" if result.push else ""
    return (f"scheduled run of {client}: {result.outcome.value}; read {summary.read}, {counts}"
            f"{pushed}; {seconds:.1f} s; run {summary.run_id}")


def folder_key(config_dir: Path) -> str:
    """A short stable key of a config folder: its resolved path, hashed."""
    return hashlib.sha256(str(config_dir.resolve()).encode()).hexdigest()[:12]


def default_jobstore_url(config_dir: Path) -> str:
    """The job store of one config folder: ``scheduler-<folder key>.sqlite3`` in the data
    folder, so schedulers of different config folders never share jobs."""
    return f"sqlite:///{data_dir() / f'scheduler-{folder_key(config_dir)}.sqlite3'}"


def latest_fire_time(cron: str, timezone: str, now: datetime) -> datetime | None:
    """The last time at or before ``now`` that ``cron`` fired, within the last year."""
    trigger = CronTrigger.from_crontab(cron, timezone=ZoneInfo(timezone))
    for window in (timedelta(hours=1), timedelta(days=1), timedelta(days=32),
                   timedelta(days=366)):
        found: datetime | None = None
        fire = trigger.get_next_fire_time(None, now - window)
        while fire is not None and fire <= now:
            found, fire = fire, trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
        if found is not None:
            return found
    return None


def claim_tick(store: Store, job: str, scheduled_at: datetime) -> bool:
    """Claim one tick of ``job`` for this process; False when another process has it."""
    return claim_store_tick(store, job, scheduled_at,
                            owner=f"{socket.gethostname()}:{os.getpid()}")


def _load(client: str, config_dir: str) -> LoadedConfig:
    return load_client(client_path(client, Path(config_dir)))


def scheduled_job(client: str, config_dir: str) -> None:
    """The job of one client: claim the tick, then run the pipeline (sync, then more)."""
    config = _load(client, config_dir).config
    if config.schedule is None:
        log.warning("%s has no schedule any more; skipped", client)
        return
    tick = latest_fire_time(config.schedule.cron, config.schedule.timezone, utc_now())
    if tick is None:
        return
    with Store.for_config(config) as store:
        if not claim_tick(store, f"sync:{client}", tick):
            log.info("tick %s of %s already run by another scheduler", tick.isoformat(), client)
            return
        started = time.monotonic()
        try:
            result = pipeline.run(config, store=store, stop=STOP, trigger="schedule")
            log.info("%s", _run_line(client, result, time.monotonic() - started))
        except StateError as error:
            log.warning("scheduled run of %s skipped: %s", client, error)


def staleness_job(client: str, config_dir: str) -> None:
    """Alert when the client has had no successful run for too long."""
    config = _load(client, config_dir).config
    with Store.for_config(config) as store:
        alert = check_staleness(config, store)
    if alert is not None:
        send_alert(config.alerts, alert)


def _wanted_jobs(clients: Sequence[LoadedConfig], config_dir: str) -> dict[str, dict[str, Any]]:
    """The jobs of these clients, ids prefixed with the config folder's key."""
    prefix = f"{folder_key(Path(config_dir))}/"
    wanted: dict[str, dict[str, Any]] = {}
    for loaded in clients:
        config = loaded.config
        if config.schedule is None:
            continue
        kwargs = {"client": config.client, "config_dir": config_dir}
        wanted[f"{prefix}sync:{config.client}"] = {
            "func": "sync.scheduler:scheduled_job", "kwargs": kwargs,
            "trigger": CronTrigger.from_crontab(config.schedule.cron,
                                                timezone=ZoneInfo(config.schedule.timezone)),
            "spec": f"{config.schedule.cron}|{config.schedule.timezone}"}
        if config.alerts.stale_after_hours is not None:
            wanted[f"{prefix}stale:{config.client}"] = {
                "func": "sync.scheduler:staleness_job", "kwargs": kwargs,
                "trigger": "interval", "minutes": _STALENESS_MINUTES, "spec": "interval"}
    return wanted


def _sync_jobs(scheduler: BaseScheduler, wanted: dict[str, dict[str, Any]],
               prefix: str) -> None:
    """Make the job store hold exactly the wanted jobs of this folder (ids under ``prefix``);
    jobs of other folders are left alone; unchanged ones keep their next run, so runs missed
    while no scheduler ran are coalesced into one."""
    for job in scheduler.get_jobs():
        if not job.id.startswith(prefix):
            continue
        if job.id not in wanted or job.name != wanted[job.id]["spec"]:
            job.remove()
    for job_id, spec in wanted.items():
        if scheduler.get_job(job_id) is None:
            options = {k: v for k, v in spec.items() if k not in ("func", "kwargs", "spec",
                                                                  "trigger")}
            scheduler.add_job(spec["func"], spec["trigger"], id=job_id, name=spec["spec"],
                              kwargs=spec["kwargs"], **options)
    log.info("scheduler jobs: %s", ", ".join(sorted(wanted)) or "none")


def serve(clients: Sequence[LoadedConfig], config_dir: Path, *,
          jobstore_url: str | None = None) -> None:
    """Run the scheduler until SIGTERM or SIGINT; returns after running jobs checkpointed."""
    url = jobstore_url or default_jobstore_url(config_dir)
    scheduler = BlockingScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=create_store_engine(url))},
        executors={"default": StoppingExecutor(max(2, len(clients)))},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        timezone="UTC")
    wanted = _wanted_jobs(clients, str(config_dir))
    prefix = f"{folder_key(config_dir)}/"
    scheduler.add_listener(lambda _event: _sync_jobs(scheduler, wanted, prefix),
                           EVENT_SCHEDULER_STARTED)

    def stop(signum: int, _frame: Any) -> None:
        log.info("signal %d: finishing running pages, then stopping", signum)
        STOP.set()
        scheduler.shutdown(wait=True)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        scheduler.start()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
