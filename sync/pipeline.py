"""What one scheduled (or CLI) run of a client does: sync, then enrich, then push.

The client's run lock is held over all three, so no other run, push or undo of the client
can start in between. Enrich and push run only when the sync finished (ok, or with some
records rejected) and the client maps at least one trait to a CRM field. ``stop`` (SIGTERM,
Ctrl-C) ends the sync after its page's checkpoint, or the push after its requests in flight.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sync.client_lock import hold_client
from sync.config import ClientConfig
from sync.enrich_step import enrich_with_model
from sync.pull import ProgressCallback, sync_client
from sync.run_summary import Outcome, RunSummary
from sync.store import Store
from sync.store.failures import storage_errors
from sync.streams import Connections
from sync.writeback.commands import push_client
from sync.writeback.own_writes import own_write_check
from sync.writeback.push import PushReport

__all__ = ["PipelineResult", "run", "sync"]


@dataclass
class PipelineResult:
    """The sync's summary, how many customers got traits, the value model's report and the
    push's report."""

    sync: RunSummary
    customers: int = 0
    push: PushReport | None = None
    value_model: dict[str, Any] | None = None

    @property
    def outcome(self) -> Outcome:
        """The worse of the sync's and the push's outcomes."""
        order = [Outcome.OK, Outcome.REJECTED, Outcome.INTERRUPTED, Outcome.FAILED]
        outcomes = [self.sync.outcome, *([self.push.outcome] if self.push else [])]
        return max(outcomes, key=order.index)


def sync(config: ClientConfig, *, connections: Connections | None = None,
         store: Store | None = None, full: bool = False, streams: Sequence[str] | None = None,
         stop: threading.Event | None = None, progress: ProgressCallback | None = None,
         trigger: str = "cli", force: bool = False) -> RunSummary:
    """The sync step alone (see ``sync_client``), recognising write-back's own writes."""
    return sync_client(config, connections=connections, store=store, full=full,
                       streams=streams, stop=stop, progress=progress, trigger=trigger,
                       own_writes=own_write_check(config), force=force)


def run(config: ClientConfig, *, store: Store | None = None,
        stop: threading.Event | None = None, trigger: str = "schedule",
        path: Path | None = None, connections: Connections | None = None,
        force: bool = False) -> PipelineResult:
    """Run the client's pipeline once: sync, enrich, push (``force``: see ``sync_client``)."""
    own_store = store is None
    active = store if store is not None else Store.for_config(config)
    try:
        with hold_client(config, active, path=path):
            summary = sync(config, connections=connections, store=active, stop=stop,
                           trigger=trigger, force=force)
            result = PipelineResult(summary)
            if summary.outcome not in (Outcome.OK, Outcome.REJECTED) or \
                    not config.writeback.writes_anything:
                return result
            with storage_errors():
                traits, result.value_model = enrich_with_model(config, active)
            result.customers = len(traits)
            result.push = push_client(config, traits, store=active, path=path, stop=stop)
            return result
    finally:
        if own_store:
            active.close()
