"""Deleted records: an id-only listing compared with the store.

SuiteCRM 7.14 cannot list deleted records through the API, so every so often (and on each
``--full``) the ids that exist now are listed; stored records the listing did not show are
flagged as deleted. A read of the whole module that completed (a first or ``--full`` sync)
is such a listing already: its pages mark their ids, and no id listing is sent after it.
An interrupted listing flags nothing, and neither does one that would flag more than
``sync.max_deleted_share`` of a module's stored records, and more than ten (a listing cut
short by a bad answer looks exactly like a mass deletion): it raises ``DeletionRefused``
instead, which fails the sync (exit 1, alert), unless the run was started with ``--force``.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from sync.store import Store
from sync.store.cursors import reconciled_at, save_reconciled
from sync.store.deletions import count_unlisted, mark_listed, mark_unlisted_deleted
from sync.store.identities import forget_deleted
from sync.store.types import utc_now
from sync.streams.contract import Reconcilable, RecordStream

__all__ = ["DeletionRefused", "flag_unlisted", "reconcile_due", "reconcile_stream"]

# Deleting a handful of records in a small CRM is ordinary: the share guard starts above this.
_FEW = 10


class DeletionRefused(Exception):
    """A listing would flag too large a share of a module as deleted; nothing was flagged."""

    def __init__(self, module: str, unlisted: int, live: int, max_share: float) -> None:
        self.reason = (f"{module}: the id listing would flag {unlisted:,} of {live:,} stored "
                       f"records as deleted ({unlisted / live:.0%}, more than "
                       f"sync.max_deleted_share {max_share:.0%}); none were flagged")
        self.hint = ("if the records were really deleted in SuiteCRM, run the sync again with "
                     "--force; otherwise check the server's answers (a maintenance page or an "
                     "error cut the listing short)")
        super().__init__(f"{self.reason} (hint: {self.hint})")


def reconcile_due(store: Store, stream: str, every: timedelta, *, full: bool,
                  now: datetime) -> bool:
    """Whether ``stream`` should be reconciled in this run."""
    if full:
        return True
    with store.transaction() as connection:
        last = reconciled_at(connection, stream)
    return last is None or now - last >= every


def reconcile_stream(store: Store, stream: Reconcilable, *,
                     stop: threading.Event | None = None, max_share: float = 1.0,
                     force: bool = False) -> int | None:
    """List ``stream``'s ids and flag the records the module no longer lists; their number,
    or None if stopped.

    Raises ``DeletionRefused`` (flagging nothing) when more than ``max_share`` of the
    module's live records would be flagged, unless ``force``.
    """
    started = utc_now()
    for ids in stream.list_ids():
        with store.transaction() as connection:
            mark_listed(connection, stream.module, ids, started)
        if stop is not None and stop.is_set():
            return None
    return flag_unlisted(store, stream, started, max_share=max_share, force=force)


def flag_unlisted(store: Store, stream: RecordStream, listing_started: datetime, *,
                  max_share: float = 1.0, force: bool = False) -> int:
    """Flag as deleted the live records a complete listing started at ``listing_started``
    did not mark (``mark_listed``); their number. A full read of the module is such a
    listing, so it needs no id listing of its own.

    Raises ``DeletionRefused`` (flagging nothing) as ``reconcile_stream`` does.
    """
    with store.transaction() as connection:  # counted and flagged in one transaction
        unlisted, live = count_unlisted(connection, stream.module, listing_started)
        if not force and unlisted > _FEW and unlisted / live > max_share:
            raise DeletionRefused(stream.module, unlisted, live, max_share)
        now = utc_now()
        deleted = mark_unlisted_deleted(connection, stream.module, listing_started, now)
        forget_deleted(connection, stream.module)
        save_reconciled(connection, stream.name, now)
    return deleted
