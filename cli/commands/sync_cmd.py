"""``suitepulse sync``: pull a client's records into its state store."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click
from rich.table import Table

from cli.context import AppContext, pass_app
from cli.exit_codes import ExitCode, exit_code_of, status_fields
from cli.options import client_argument, force_option, json_option
from cli.output import emit_json, out_console
from cli.sync_progress import sync_progress
from sync import pipeline
from sync.client_lock import hold_client
from sync.run_summary import RunSummary
from sync.store import Store

__all__ = ["sync"]


@contextmanager
def _stop_on_sigterm() -> Iterator[threading.Event]:
    """SIGTERM ends the run after the current page's checkpoint."""
    stop = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return
    previous = signal.signal(signal.SIGTERM, lambda _sig, _frame: stop.set())
    try:
        yield stop
    finally:
        signal.signal(signal.SIGTERM, previous)


def _table(summary: RunSummary) -> Table:
    table = Table(title=f"{summary.client}: {summary.outcome.value} (run {summary.run_id})")
    for column in ("stream", "new", "changed", "our writes", "unchanged", "rejected", "deleted",
                   "note"):
        table.add_column(column, justify="left" if column in ("stream", "note") else "right")
    for stream in summary.streams.values():
        counts: list[Any] = [stream.new, stream.changed, stream.own_writes, stream.unchanged,
                             stream.rejected,
                             stream.deleted if stream.reconciled else "-"]
        table.add_row(stream.name, *map(str, counts), stream.error or "")
    return table


@click.command("sync")
@client_argument
@click.option("--full", is_flag=True, help="Read everything again and look for deleted records.")
@click.option("--stream", "streams", multiple=True, metavar="NAME",
              help="Only this stream (a module name); repeat for several.")
@force_option
@json_option
@pass_app
def sync(app: AppContext, client: str, full: bool, streams: tuple[str, ...], force: bool,
         as_json: bool) -> None:
    """Pull the client's records from SuiteCRM into its state store.

    \b
    Examples:
      suitepulse sync acme
      suitepulse sync acme --full
      suitepulse sync acme --full --force    # accept a mass deletion
      suitepulse sync acme --stream Contacts --stream Opportunities --json
    """
    loaded = app.load(client)
    config = loaded.config
    with _stop_on_sigterm() as stop, Store.for_config(config) as store, \
            hold_client(config, store, path=loaded.path), \
            sync_progress(enabled=not as_json and app.verbosity >= 0) as progress:
        summary = pipeline.sync(config, full=full, streams=list(streams) or None, stop=stop,
                                progress=progress, trigger="cli", store=store, force=force)
    code = exit_code_of(summary.outcome)
    if as_json:
        emit_json({**status_fields(code), **summary.as_dict()})
    else:
        out_console.print(_table(summary))
        if summary.identities and (summary.identities.ambiguous or summary.identities.unmatched):
            report = summary.identities
            out_console.print(f"interactions: {report.matched} linked, {report.ambiguous} "
                              f"ambiguous, {report.unmatched} unmatched", highlight=False)
    if code is not ExitCode.OK:
        click.get_current_context().exit(int(code))
