"""What one scheduled (or CLI) run of a client does: the steps in order.

For now a run is the sync; write-back extends ``run`` to sync -> enrich -> push.
"""

from __future__ import annotations

import threading

from sync.config import ClientConfig
from sync.pull import sync_client
from sync.run_summary import RunSummary
from sync.store import Store

__all__ = ["run"]


def run(config: ClientConfig, *, store: Store | None = None,
        stop: threading.Event | None = None, trigger: str = "schedule") -> RunSummary:
    """Run the client's pipeline once and return the sync's summary."""
    return sync_client(config, store=store, stop=stop, trigger=trigger)
