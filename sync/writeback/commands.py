"""Push and undo for one client: open its store and its CRM, run, report.

These are what the CLI commands and the pipeline (``suitepulse run``, the scheduler) call.
Each push or undo is also a row in the store's run history (trigger ``push`` or ``undo``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import httpx
from sqlalchemy.engine import make_url

from sync.config import ClientConfig, LoadedConfig, store_url
from sync.store import Store
from sync.store.engine import sqlite_path
from sync.store.runs import finish_run, start_run
from sync.writeback.audit import AuditLog, new_run_id
from sync.writeback.crm import open_crm
from sync.writeback.destination import CRMDestination, Destination, DryRunDestination
from sync.writeback.fieldspec import specs_for
from sync.writeback.push import PushReport, push_traits
from sync.writeback.undo import UndoReport, undo_run

__all__ = ["has_store", "push_client", "undo_client"]

R = TypeVar("R", bound=PushReport)


def has_store(loaded: LoadedConfig) -> bool:
    """False where the client's store is a SQLite file that does not exist yet."""
    path = sqlite_path(make_url(store_url(loaded.config)))
    return path is None or path.exists()


def push_client(
    config: ClientConfig,
    traits: Mapping[str, Mapping[str, object]],
    *,
    store: Store,
    dry_run: bool = False,
    path: Path | None = None,
    transport: httpx.BaseTransport | None = None,
) -> PushReport:
    """Write the client's traits (record id -> trait -> value) to its mapped CRM fields.

    ``path`` is the client file, for pointing at the line of a bad mapping.
    """
    specs = specs_for(config, path)
    run_id = new_run_id()
    with open_crm(config, transport=transport) as crm:
        destination: Destination = DryRunDestination() if dry_run else CRMDestination(crm)
        return _recorded(store, run_id, "push", dry_run, lambda: push_traits(
            specs, traits, client=crm, destination=destination,
            audit=AuditLog(store.engine), run_id=run_id,
            page_size=config.writeback.read_page_size,
            preserve_date_modified=config.writeback.preserve_date_modified,
        ))


def undo_client(
    config: ClientConfig,
    run_id: str,
    *,
    store: Store,
    dry_run: bool = False,
    path: Path | None = None,
    transport: httpx.BaseTransport | None = None,
) -> UndoReport:
    """Undo ``run_id`` of this client where its values are still in place."""
    new_id = new_run_id()
    with open_crm(config, transport=transport) as crm:
        destination: Destination = DryRunDestination() if dry_run else CRMDestination(crm)
        return _recorded(store, new_id, "undo", dry_run, lambda: undo_run(
            run_id, specs_for(config, path), client=crm, destination=destination,
            audit=AuditLog(store.engine), new_run_id=new_id,
            preserve_date_modified=config.writeback.preserve_date_modified,
        ))


def _recorded(store: Store, run_id: str, trigger: str, dry_run: bool,
              work: Callable[[], R]) -> R:
    """Run ``work`` as a row of the run history (dry runs leave no trace)."""
    if dry_run:
        return work()
    with store.transaction() as connection:
        start_run(connection, run_id, started_at=datetime.now(UTC), full=False, trigger=trigger)
    try:
        report = work()
    except BaseException as error:
        with store.transaction() as connection:
            finish_run(connection, run_id, finished_at=datetime.now(UTC), outcome="failed",
                       counts={}, errors=[str(error)])
        raise
    counts = {"writeback": {"compared": report.compared, "changed": report.records_written,
                            "fields": report.fields_written, "rejected": len(report.rejected)}}
    with store.transaction() as connection:
        finish_run(connection, run_id, finished_at=datetime.now(UTC),
                   outcome="rejected" if report.partial else "ok", counts=counts, errors=[])
    return report
