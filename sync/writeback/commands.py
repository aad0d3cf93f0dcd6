"""Push and undo for one client: open its store and its CRM, run, report.

These are what the CLI commands and the pipeline (``suitepulse run``, the scheduler) call.
Each push or undo holds the client's run lock, is a row in the store's run history (trigger
``push`` or ``undo``) with the report's outcome, and alerts when it did not end well.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import httpx
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from connectors.suitecrm import SuiteCRMClient
from sync.alerts import Alert, send_alert
from sync.client_lock import hold_client
from sync.config import ClientConfig, LoadedConfig, store_url
from sync.store import Store
from sync.store.engine import sqlite_path
from sync.store.failures import storage_errors
from sync.store.records import live_counts
from sync.store.runs import finish_run, start_run
from sync.store.target_lists import ListBook
from sync.writeback.alerts import push_alerts
from sync.writeback.audit import AuditLog, new_run_id
from sync.writeback.clear import clear_fields
from sync.writeback.crm import open_crm
from sync.writeback.destination import CRMDestination, Destination, DryRunDestination
from sync.writeback.fieldspec import specs_for
from sync.writeback.push import PushReport, push_traits
from sync.writeback.target_list_specs import target_list_specs
from sync.writeback.target_lists import push_target_lists
from sync.writeback.undo import UndoReport, undo_run

__all__ = ["clear_client", "has_store", "push_client", "undo_client"]

log = logging.getLogger(__name__)

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
    stop: threading.Event | None = None,
) -> PushReport:
    """Write the client's traits (record id -> trait -> value) to its mapped CRM fields,
    then keep its target lists (``writeback.target_lists``) equal to their segments.

    Holds the client's run lock (re-entered inside ``suitepulse run``). ``path`` is the
    client file, for pointing at the line of a bad mapping; ``stop`` ends the push after the
    requests in flight.
    """
    specs = specs_for(config, path)
    lists = target_list_specs(config, path)
    run_id = new_run_id()
    with _crm_session(config, store, path, transport, dry_run) as (crm, destination):
        audit = AuditLog(store.engine)

        def push() -> PushReport:
            report = push_traits(
                specs, traits, client=crm, destination=destination, audit=audit,
                run_id=run_id, page_size=config.writeback.read_page_size,
                preserve_date_modified=config.writeback.preserve_date_modified, stop=stop)
            if lists and not (report.interrupted or report.errors):
                push_target_lists(
                    lists, traits, client=crm, destination=destination, audit=audit,
                    book=ListBook(store.engine), report=report, client_name=config.client,
                    policy=config.writeback.target_list_policy,
                    page_size=config.writeback.read_page_size, stop=stop)
            return report

        return _recorded(config, store, run_id, "push", dry_run, push)


def undo_client(
    config: ClientConfig,
    run_id: str,
    *,
    store: Store,
    dry_run: bool = False,
    path: Path | None = None,
    transport: httpx.BaseTransport | None = None,
    stop: threading.Event | None = None,
) -> UndoReport:
    """Undo ``run_id`` of this client where its values are still in place (under its lock)."""
    new_id = new_run_id()
    with _crm_session(config, store, path, transport, dry_run) as (crm, destination):
        specs = specs_for(config, path)
        with store.transaction() as connection:
            sizes = live_counts(connection, sorted({spec.module for spec in specs}))
        return _recorded(config, store, new_id, "undo", dry_run, lambda: undo_run(
            run_id, specs, client=crm, destination=destination,
            audit=AuditLog(store.engine), new_run_id=new_id,
            preserve_date_modified=config.writeback.preserve_date_modified, stop=stop,
            module_sizes=sizes, page_size=config.writeback.read_page_size,
            list_names={row.crm_id: name for name, row in ListBook(store.engine).known().items()},
        ))


def clear_client(
    config: ClientConfig,
    records: Sequence[tuple[str, str]],
    *,
    store: Store,
    dry_run: bool = False,
    path: Path | None = None,
    transport: httpx.BaseTransport | None = None,
    stop: threading.Event | None = None,
) -> PushReport:
    """Empty the mapped CRM fields of ``records`` (module, id), audited, under the lock."""
    specs = specs_for(config, path)
    run_id = new_run_id()
    with _crm_session(config, store, path, transport, dry_run) as (crm, destination):
        return _recorded(config, store, run_id, "forget", dry_run, lambda: clear_fields(
            records, specs, client=crm, destination=destination,
            audit=AuditLog(store.engine), run_id=run_id, stop=stop))


@contextmanager
def _crm_session(config: ClientConfig, store: Store, path: Path | None,
                 transport: httpx.BaseTransport | None,
                 dry_run: bool) -> Iterator[tuple[SuiteCRMClient, Destination]]:
    """The client's run lock (a dry run writes nothing and takes none), its open CRM, and
    where the changes go."""
    lock: AbstractContextManager[object] = nullcontext() if dry_run else hold_client(
        config, store, path=path, transport=transport)
    with lock, open_crm(config, transport=transport) as crm:
        yield crm, DryRunDestination() if dry_run else CRMDestination(crm)


def _recorded(config: ClientConfig, store: Store, run_id: str, trigger: str, dry_run: bool,
              work: Callable[[], R]) -> R:
    """Run ``work`` as a row of the run history (dry runs leave no trace); alert when it
    did not end well."""
    if dry_run:
        with storage_errors():
            return work()
    with storage_errors(), store.transaction() as connection:
        start_run(connection, run_id, started_at=datetime.now(UTC), full=False, trigger=trigger)
    try:
        with storage_errors():
            report = work()
    except BaseException as error:
        outcome = "interrupted" if isinstance(error, KeyboardInterrupt) else "failed"
        _finish(store, run_id, outcome, {}, [f"{type(error).__name__}: {error}"[:500]])
        if isinstance(error, Exception):
            send_alert(config.alerts, Alert(config.client, "push_failed",
                                            f"{trigger} of {config.client} failed",
                                            {"run_id": run_id, "trigger": trigger,
                                             "error": type(error).__name__}))
        raise
    counts = {"writeback": {"compared": report.compared, "changed": report.records_written,
                            "fields": report.fields_written, "rejected": len(report.rejected),
                            "failed": len(report.failed), "not_sent": report.not_sent}}
    with storage_errors():
        _finish(store, run_id, report.outcome.value, counts, report.errors, strict=True)
    for alert in push_alerts(config, report, trigger):
        send_alert(config.alerts, alert)
    return report


def _finish(store: Store, run_id: str, outcome: str, counts: Mapping[str, Mapping[str, int]],
            errors: Sequence[str], *, strict: bool = False) -> None:
    try:
        with store.transaction() as connection:
            finish_run(connection, run_id, finished_at=datetime.now(UTC), outcome=outcome,
                       counts=counts, errors=errors)
    except SQLAlchemyError:
        if strict:
            raise
        log.exception("could not record the end of run %s", run_id)
