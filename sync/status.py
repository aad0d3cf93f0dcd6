"""What ``suitepulse status`` shows of a client: its store, last runs and stream cursors."""

from __future__ import annotations

from typing import Any

from sync.config import ClientConfig
from sync.store import Store
from sync.store.cursors import list_cursors
from sync.store.runs import WRITEBACK_TRIGGERS, RunRecord, recent_runs
from sync.store.value_models import latest_value_model
from sync.streams.cursor import decode_cursor
from sync.streams.imap_state import describe_state

__all__ = ["client_status", "last_run_overview"]


def _cursor_text(value: str | None) -> str | None:
    if value is None:
        return None
    decoded = decode_cursor(value)
    if isinstance(decoded, str) and (folder := describe_state(decoded)):
        return folder  # an IMAP folder: its UIDVALIDITY, last UID, MODSEQ
    return decoded.isoformat() if hasattr(decoded, "isoformat") else str(decoded)


def client_status(config: ClientConfig, runs: int) -> dict[str, Any]:
    """The client's store (URL without password, size, schema version), its last ``runs``
    runs, every stream's cursor, the latest value-model fit and the retention windows
    (``privacy``), as plain data for JSON output."""
    with Store.for_config(config) as store:
        return {"client": config.client, **_status(store, runs),
                "retention": {"interactions_days": config.privacy.interactions_days,
                              "keep_deleted_days": config.privacy.keep_deleted_days}}


def _status(store: Store, runs: int) -> dict[str, Any]:
    with store.transaction() as connection:
        history = recent_runs(connection, runs)
        cursors = [{"stream": saved.stream, "cursor": _cursor_text(saved.value),
                    "updated_at": saved.updated_at.isoformat(),
                    "reconciled_at": saved.reconciled_at.isoformat() if saved.reconciled_at
                    else None}
                   for saved in list_cursors(connection)]
        value_model = latest_value_model(connection)
    return {"store": {"url": store.display_url, "size_bytes": store.size_bytes(),
                      "schema_version": store.schema_version},
            "runs": [run.as_dict() for run in history], "cursors": cursors,
            "value_model": value_model}


def _kind(run: RunRecord) -> str:
    if run.trigger in WRITEBACK_TRIGGERS:
        return run.trigger
    return "full sync" if run.full else "sync"


def last_run_overview(config: ClientConfig) -> dict[str, Any]:
    """One line of ``status --all``: the client's last run (kind, trigger, outcome, finish
    time; None when it never ran) and which alert channels it has, as plain data."""
    with Store.for_config(config) as store, store.transaction() as connection:
        runs = recent_runs(connection, 1)
    last = runs[0] if runs else None
    channels = [name for name, set_ in (("webhook", config.alerts.webhook_url is not None),
                                        ("smtp", config.alerts.smtp is not None)) if set_]
    return {"client": config.client,
            "last_run": None if last is None else {
                "id": last.id, "kind": _kind(last), "trigger": last.trigger,
                "outcome": last.outcome,
                "finished_at": last.finished_at.isoformat() if last.finished_at else None},
            "alerts": channels}
