"""What one scheduled (or CLI) run of a client does: sync, then enrich, then push.

Enrich and push run only when the sync finished (ok, or with some records rejected) and the
client maps at least one trait to a CRM field.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sync.config import ClientConfig
from sync.enrich_step import enrich_with_model
from sync.pull import sync_client
from sync.run_summary import Outcome, RunSummary
from sync.store import Store
from sync.writeback.commands import push_client
from sync.writeback.push import PushReport

__all__ = ["PipelineResult", "run"]


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
        """The sync's outcome, or ``rejected`` when the push had rejected records."""
        if self.sync.outcome is Outcome.OK and self.push is not None and self.push.partial:
            return Outcome.REJECTED
        return self.sync.outcome


def run(config: ClientConfig, *, store: Store | None = None,
        stop: threading.Event | None = None, trigger: str = "schedule",
        path: Path | None = None) -> PipelineResult:
    """Run the client's pipeline once: sync, enrich, push."""
    own_store = store is None
    active = store if store is not None else Store.for_config(config)
    try:
        summary = sync_client(config, store=active, stop=stop, trigger=trigger)
        result = PipelineResult(summary)
        if summary.outcome not in (Outcome.OK, Outcome.REJECTED) or not config.writeback.fields:
            return result
        traits, result.value_model = enrich_with_model(config, active)
        result.customers = len(traits)
        result.push = push_client(config, traits, store=active, path=path)
        return result
    finally:
        if own_store:
            active.close()
