"""Deleted records: an id-only listing compared with the store.

SuiteCRM 7.14 cannot list deleted records through the API, so every so often (and on each
``--full``) the ids that exist now are listed; stored records the listing did not show are
flagged as deleted. An interrupted listing flags nothing.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from sync.store import Store
from sync.store.cursors import reconciled_at, save_reconciled
from sync.store.deletions import mark_listed, mark_unlisted_deleted
from sync.store.identities import forget_deleted
from sync.store.types import utc_now
from sync.streams.contract import Reconcilable

__all__ = ["reconcile_due", "reconcile_stream"]


def reconcile_due(store: Store, stream: str, every: timedelta, *, full: bool,
                  now: datetime) -> bool:
    """Whether ``stream`` should be reconciled in this run."""
    if full:
        return True
    with store.transaction() as connection:
        last = reconciled_at(connection, stream)
    return last is None or now - last >= every


def reconcile_stream(store: Store, stream: Reconcilable, *,
                     stop: threading.Event | None = None) -> int | None:
    """Flag the records the module no longer lists; their number, or None if stopped."""
    started = utc_now()
    for ids in stream.list_ids():
        with store.transaction() as connection:
            mark_listed(connection, stream.module, ids, started)
        if stop is not None and stop.is_set():
            return None
    with store.transaction() as connection:
        now = utc_now()
        deleted = mark_unlisted_deleted(connection, stream.module, started, now)
        forget_deleted(connection, stream.module)
        save_reconciled(connection, stream.name, now)
    return deleted
