"""Push and undo for one client: open the store's audit log and the CRM, run, report.

These are what the CLI commands (and the scheduler's run) call.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import httpx
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from sync.config import LoadedConfig, store_url
from sync.writeback.audit import AuditLog, new_run_id
from sync.writeback.crm import open_crm
from sync.writeback.destination import CRMDestination, Destination, DryRunDestination
from sync.writeback.fieldspec import specs_for
from sync.writeback.push import PushReport, push_traits
from sync.writeback.undo import UndoReport, undo_run

__all__ = ["audit_log", "existing_audit_log", "push_client", "undo_client"]


def audit_log(loaded: LoadedConfig) -> AuditLog:
    """The audit log in the client's state store (created where missing)."""
    url = store_url(loaded.config)
    database = make_url(url).database
    if make_url(url).get_backend_name() == "sqlite" and database:
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    return AuditLog(create_engine(url))


def existing_audit_log(loaded: LoadedConfig) -> AuditLog | None:
    """The audit log, or None where the client's store is a SQLite file not created yet."""
    url = make_url(store_url(loaded.config))
    if url.get_backend_name() == "sqlite" and url.database and not Path(url.database).exists():
        return None
    return audit_log(loaded)


def push_client(
    loaded: LoadedConfig,
    traits: Mapping[str, Mapping[str, object]],
    *,
    dry_run: bool = False,
    run_id: str | None = None,
    transport: httpx.BaseTransport | None = None,
) -> PushReport:
    """Write the client's traits (record id -> trait -> value) to its mapped CRM fields."""
    config = loaded.config
    specs = specs_for(loaded)
    audit = audit_log(loaded)
    with open_crm(config, transport=transport) as crm:
        destination: Destination = DryRunDestination() if dry_run else CRMDestination(crm)
        return push_traits(
            specs, traits, client=crm, destination=destination, audit=audit,
            run_id=run_id or new_run_id(), page_size=config.writeback.read_page_size,
            preserve_date_modified=config.writeback.preserve_date_modified,
        )


def undo_client(
    loaded: LoadedConfig,
    run_id: str,
    *,
    dry_run: bool = False,
    transport: httpx.BaseTransport | None = None,
) -> UndoReport:
    """Undo ``run_id`` of this client where its values are still in place."""
    config = loaded.config
    audit = audit_log(loaded)
    with open_crm(config, transport=transport) as crm:
        destination: Destination = DryRunDestination() if dry_run else CRMDestination(crm)
        return undo_run(
            run_id, specs_for(loaded), client=crm, destination=destination, audit=audit,
            new_run_id=new_run_id(),
            preserve_date_modified=config.writeback.preserve_date_modified,
        )
