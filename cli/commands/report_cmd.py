"""``suitepulse report``: one self-contained HTML file with a client's charts."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from cli.commands.report_output import print_summary_tables, report_document
from cli.context import AppContext, pass_app
from cli.options import client_argument, json_option
from cli.output import emit_json, out_console
from sync.errors import StateError
from sync.report import render_report
from sync.report.gather import report_data
from sync.store import Store
from sync.writeback.commands import has_store

__all__ = ["report"]


@click.command()
@client_argument
@click.option("--out", "out_path", type=click.Path(dir_okay=False, writable=True,
              path_type=Path), help="HTML file to write (default: <client>-report.html).")
@json_option
@pass_app
def report(app: AppContext, client: str, out_path: Path | None, as_json: bool) -> None:
    """Write a client's report: segments, lifecycle, value, churn risk, movements, runs.

    \b
    The HTML file needs no network to open and prints well. It is made from the state
    store only (no CRM call): run `suitepulse run CLIENT` first.

    \b
    Examples:
      suitepulse report acme --out acme.html
      suitepulse report acme --json
    """
    loaded = app.load(client)
    if not has_store(loaded):
        raise StateError(f"{loaded.config.client} has no state store yet",
                         hint=f"run: suitepulse run {loaded.config.client}")
    with Store.for_config(loaded.config) as store:
        data = report_data(store, loaded.config, now=datetime.now(UTC))
    path = out_path or Path(f"{loaded.config.client}-report.html")
    try:
        path.write_text(render_report(data), encoding="utf-8")
    except OSError as error:
        raise click.BadParameter(f"cannot write {path}: {error.strerror}",
                                 param_hint="--out") from None
    if as_json:
        emit_json({"ok": True, "report": str(path.resolve()), **report_document(data)})
        return
    print_summary_tables(data)
    out_console.print(f"report: {path.resolve()}", highlight=False)
