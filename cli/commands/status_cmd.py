"""``suitepulse status``: a client's last runs, stream cursors and store size."""

from __future__ import annotations

import click
from rich.table import Table

from cli.context import AppContext, pass_app
from cli.options import client_argument, json_option
from cli.output import emit_json, out_console
from enrichment.value_report import report_lines
from sync.status import client_status

__all__ = ["status"]


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
    document = client_status(config, runs)
    if as_json:
        emit_json(document)
        return
    size = document["store"]["size_bytes"]
    shown_size = f" ({size / 1e6:.1f} MB)" if size is not None else ""
    out_console.print(f"store {document['store']['url']}{shown_size}", highlight=False)
    out_console.print(config.privacy.retention_text(), highlight=False)
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
    if document["value_model"] is not None:
        for line in report_lines(document["value_model"]):
            out_console.print(line, highlight=False)
