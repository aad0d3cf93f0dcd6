"""``suitepulse status``: a client's last runs, stream cursors and store size."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import click
from rich.markup import escape
from rich.table import Table

from cli.context import AppContext, pass_app
from cli.options import json_option
from cli.output import emit_json, out_console
from enrichment.value_report import report_lines
from sync.errors import StateError
from sync.status import client_status, last_run_overview
from sync.store.types import utc_now

__all__ = ["status"]


@click.command("status")
@click.argument("client", metavar="[CLIENT]", required=False)
@click.option("--all", "all_clients", is_flag=True,
              help="One line per client in the config folder: its last run and alerts.")
@click.option("--runs", default=10, show_default=True, type=click.IntRange(1, 1000),
              help="How many recent runs to show.")
@json_option
@pass_app
def status(app: AppContext, client: str | None, all_clients: bool, runs: int,
           as_json: bool) -> None:
    """Show a client's last runs, stream cursors and state store size (--all: one line per
    client).

    \b
    Examples:
      suitepulse status acme
      suitepulse status acme --runs 30 --json
      suitepulse status --all
    """
    if bool(client) == all_clients:
        raise click.UsageError("name one CLIENT or give --all")
    if client is None:
        _status_all(app, as_json)
        return
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


def _age(finished: str | None, now: datetime) -> str:
    """How long ago ``finished`` (ISO time) was, e.g. ``3 h ago``."""
    if finished is None:
        return "not finished"
    seconds = max(0.0, (now - datetime.fromisoformat(finished)).total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{int(seconds // size)} {unit} ago"
    return "just now"


def _overviews(app: AppContext) -> list[dict[str, Any]]:
    loaded, broken = app.load_all()
    lines = []
    for item in loaded:
        try:
            lines.append({"ok": True, **last_run_overview(item.config)})
        except StateError as error:
            lines.append({"client": item.config.client, "ok": False,
                          "problem": f"state store: {error.reason}"})
    lines += [{"client": name, "ok": False, "problem": "; ".join(str(p) for p in problems)}
              for name, problems in broken.items()]
    return sorted(lines, key=lambda line: str(line["client"]))


def _status_all(app: AppContext, as_json: bool) -> None:
    lines = _overviews(app)
    if not lines:
        raise click.UsageError(f"no client files in {app.config_dir}")
    if as_json:
        emit_json(lines)
        return
    now = utc_now()
    for line in lines:
        name = escape(line["client"])
        if not line["ok"]:
            out_console.print(f"{name}  [red]broken[/]  {escape(line['problem'])}",
                              highlight=False)
            continue
        alerts = "alerts: " + (", ".join(line["alerts"]) or "none")
        run = line["last_run"]
        if run is None:
            out_console.print(f"{name}  never run  {alerts}", highlight=False)
            continue
        finished = (f"{run['finished_at'][:19]} ({_age(run['finished_at'], now)})"
                    if run["finished_at"] else "not finished")
        out_console.print(f"{name}  {run['kind']} ({run['trigger']})  {run['outcome']}  "
                          f"{finished}  {alerts}", highlight=False)
