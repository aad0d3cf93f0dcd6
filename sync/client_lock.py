"""One run per client, whole: the client's lock, and what its new holder settles first.

Invariants: whoever holds ``run:<client>`` is the only run of the client (sync, run, push,
undo and the scheduler all take it). So when it is taken fresh, every run still recorded
``running`` belongs to a process that is gone: it is named ``interrupted`` (with the writes
it got done) and alerted, and the write intents it left pending are settled by reading
their records back, before anything else reads the audit or writes to the CRM.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from sync.alerts import send_alert
from sync.config import ClientConfig
from sync.errors import ConfigError
from sync.store import RunLock, Store
from sync.store.failures import storage_errors
from sync.store.runs import interrupt_abandoned, running_ids
from sync.store.types import utc_now
from sync.writeback.alerts import interrupted_alerts
from sync.writeback.audit import AuditLog
from sync.writeback.crm import open_crm
from sync.writeback.fieldspec import specs_for
from sync.writeback.settle import settle_rows

__all__ = ["hold_client", "lock_name"]

log = logging.getLogger(__name__)


def lock_name(config: ClientConfig) -> str:
    """The name of the client's run lock."""
    return f"run:{config.client}"


@contextmanager
def hold_client(config: ClientConfig, store: Store, *, path: Path | None = None,
                transport: httpx.BaseTransport | None = None,
                settle: bool = True) -> Iterator[RunLock]:
    """Hold the client's run lock for the block (waiting ``sync.lock_wait_seconds``).

    Taken fresh, it first names abandoned runs ``interrupted`` and (``settle``) settles the
    pending write intents. Raises ``StateError`` naming the holder when it stays taken.
    """
    lock = store.lock(lock_name(config), ttl_seconds=config.sync.lock_ttl_seconds,
                      wait_seconds=config.sync.lock_wait_seconds)
    with storage_errors(), lock:
        if not lock.reentered:
            _name_interrupted(config, store)
            if settle:
                settle_pending(config, store, path=path, transport=transport)
        yield lock


def _name_interrupted(config: ClientConfig, store: Store) -> None:
    audit = AuditLog(store.engine)
    with store.transaction() as connection:
        ids = running_ids(connection)
    if not ids:
        return
    done = {run_id: {"writeback": audit.state_counts(run_id)} for run_id in ids}
    with store.transaction() as connection:
        runs = interrupt_abandoned(connection, now=utc_now(),
                                   done={k: v for k, v in done.items() if v["writeback"]})
    for run in runs:
        log.warning("run %s (%s) was left running by a process that is gone: interrupted",
                    run.id, run.trigger)
    for alert in interrupted_alerts(config, runs):
        send_alert(config.alerts, alert)


def settle_pending(config: ClientConfig, store: Store, *, path: Path | None = None,
                   transport: httpx.BaseTransport | None = None) -> int:
    """Settle every pending write intent of the client; returns how many were settled."""
    audit = AuditLog(store.engine)
    rows = audit.pending()
    if not rows:
        return 0
    try:
        specs = specs_for(config, path)
    except ConfigError as error:
        log.warning("%d pending writes stay unsettled: the mapping is invalid (%s)",
                    len(rows), error)
        return 0
    with open_crm(config, transport=transport) as crm:
        settled = settle_rows(rows, client=crm, audit=audit, specs=specs)
    return len(settled.written) + len(settled.dropped)
