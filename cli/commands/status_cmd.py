"""``suitepulse status``: a client's last runs, stream cursors and store size."""

from __future__ import annotations

from typing import Any

import click
from rich.table import Table
from sqlalchemy import select

from cli.context import AppContext, pass_app
from cli.options import client_argument, json_option
from cli.output import emit_json, out_console
from sync.store import Store
from sync.store.runs import recent_runs
from sync.store.schema import CURSORS
from sync.streams.cursor import decode_cursor
from sync.streams.imap_state import describe_state

__all__ = ["status"]


def _cursor_text(value: str | None) -> str | None:
    if value is None:
        return None
    decoded = decode_cursor(value)
    if isinstance(decoded, str) and (folder := describe_state(decoded)):
        return folder  # an IMAP folder: its UIDVALIDITY, last UID, MODSEQ
    return decoded.isoformat() if hasattr(decoded, "isoformat") else str(decoded)


def _status(store: Store, runs: int) -> dict[str, Any]:
    with store.transaction() as connection:
        history = recent_runs(connection, runs)
        cursors = [{"stream": row.stream, "cursor": _cursor_text(row.value),
                    "updated_at": row.updated_at.isoformat(),
                    "reconciled_at": row.reconciled_at.isoformat() if row.reconciled_at
                    else None}
                   for row in connection.execute(select(CURSORS).order_by(CURSORS.c.stream))]
    return {"store": {"url": store.display_url, "size_bytes": store.size_bytes(),
                      "schema_version": store.schema_version},
            "runs": [run.as_dict() for run in history], "cursors": cursors}


@click.command("status")
@client_argument
@click.option("--runs", default=10, show_default=True, type=click.IntRange(1, 1000),
              help="How many recent runs to show.")
@json_option
@pass_app
def status(app: AppContext, client: str, runs: int, as_json: bool) -> None:
    """Show a client's last runs, stream cursors and state store size.

    \b
    Examples:
      suitepulse status acme
      suitepulse status acme --runs 30 --json
    """
    config = app.load(client).config
    with Store.for_config(config) as store:
        document = {"client": config.client, **_status(store, runs)}
    if as_json:
        emit_json(document)
        return
    size = document["store"]["size_bytes"]
    shown_size = f" ({size / 1e6:.1f} MB)" if size is not None else ""
    out_console.print(f"store {document['store']['url']}{shown_size}", highlight=False)
    table = Table(title="last runs")
    for column in ("started", "finished", "outcome", "trigger", "new", "changed", "rejected",
                   "deleted"):
        table.add_column(column)
    for run in document["runs"]:
        totals = {k: sum(c.get(k, 0) for c in run["counts"].values())
                  for k in ("new", "changed", "rejected", "deleted")}
        table.add_row(run["started_at"][:19], (run["finished_at"] or "")[:19], run["outcome"],
                      run["trigger"], *(str(totals[k]) for k in totals))
    out_console.print(table)
    cursors = Table(title="cursors")
    for column in ("stream", "cursor", "updated", "reconciled"):
        cursors.add_column(column)
    for row in document["cursors"]:
        cursors.add_row(row["stream"], row["cursor"] or "", row["updated_at"][:19],
                        (row["reconciled_at"] or "never")[:19])
    out_console.print(cursors)
