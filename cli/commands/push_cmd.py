"""``suitepulse push`` and ``suitepulse run``: traits into the CRM's mapped fields."""

from __future__ import annotations

from contextlib import nullcontext
from typing import Any

import click

from cli.commands.writeback_output import render_report, report_exit_code
from cli.context import AppContext, pass_app
from cli.exit_codes import exit_code_of, status_fields
from cli.options import client_argument, dry_run_option, force_option, json_option
from cli.output import emit_json, err_console, out_console
from cli.stop_signals import stop_on_signals
from enrichment.value_report import report_lines
from sync import pipeline
from sync.client_lock import hold_client
from sync.enrich_step import enrich_with_model
from sync.store import Store
from sync.store.failures import storage_errors
from sync.writeback.commands import push_client

__all__ = ["push", "run"]


@click.command()
@client_argument
@dry_run_option
@click.option("--show-below-threshold", is_flag=True,
              help="Also list the changes smaller than their field's min_change (not written).")
@json_option
@pass_app
def push(app: AppContext, client: str, dry_run: bool, show_below_threshold: bool,
         as_json: bool) -> None:
    """Compute the traits from the store and write the changed ones to SuiteCRM.

    \b
    Only mapped fields whose value moved by at least the field's min_change are
    sent, one PATCH per changed record; every write is audited before it is sent.
    Exit code 3 when some records were rejected, 1 when writes failed or SIGTERM /
    Ctrl-C stopped the push (the requests in flight are finished and recorded first).

    \b
    Examples:
      suitepulse push acme --dry-run
      suitepulse push acme --dry-run --show-below-threshold
      suitepulse push acme
      suitepulse push acme --json
    """
    loaded = app.load(client)
    if not loaded.config.writeback.writes_anything:
        raise click.UsageError(f"{loaded.path}: writeback.fields maps no trait to a field "
                               "and writeback.target_lists names no list")
    with Store.for_config(loaded.config) as store, stop_on_signals() as stop, \
            (nullcontext() if dry_run else hold_client(loaded.config, store, path=loaded.path)):
        with storage_errors():
            traits, value_model = enrich_with_model(loaded.config, store, save=not dry_run)
        if traits:
            for line in report_lines(value_model):
                err_console.print(line, highlight=False)
        if not traits:
            err_console.print(f"[yellow]warning:[/] the store has no "
                              f"{loaded.config.enrichment.customer_entity.value} yet; "
                              f"run: suitepulse sync {loaded.config.client}", highlight=False)
        report = push_client(loaded.config, traits, store=store, dry_run=dry_run,
                             path=loaded.path, stop=stop)
    render_report(report, as_json=as_json, show_below_threshold=show_below_threshold)
    raise click.exceptions.Exit(int(report_exit_code(report)))


@click.command()
@client_argument
@force_option
@json_option
@pass_app
def run(app: AppContext, client: str, force: bool, as_json: bool) -> None:
    """Sync, enrich and push once: what the scheduler runs for each client.

    \b
    The client's lock is held from the sync to the end of the push. Exit code 3 when
    records were rejected by the sync or the push, 1 when the sync or the push failed
    or SIGTERM / Ctrl-C stopped it (after the page or the requests in flight).

    \b
    Examples:
      suitepulse run acme
      suitepulse run acme --json
    """
    loaded = app.load(client)
    with stop_on_signals() as stop:
        result = pipeline.run(loaded.config, trigger="cli", path=loaded.path, stop=stop,
                              force=force)
    code = exit_code_of(result.outcome)
    if as_json:
        document: dict[str, Any] = {
            **status_fields(code),
            "outcome": result.outcome.value, "sync": {
                "run_id": result.sync.run_id, "outcome": result.sync.outcome.value,
                "streams": [s.as_dict() for s in result.sync.streams.values()],
                "errors": result.sync.errors},
            "customers": result.customers, "value_model": result.value_model,
            "push": result.push.summary() if result.push else None,
        }
        emit_json(document)
    else:
        out_console.print(f"sync {result.sync.run_id}: {result.sync.outcome.value}, "
                          f"{result.sync.read} records read", highlight=False)
        if result.push is not None:
            out_console.print(f"traits of {result.customers} customers computed",
                              highlight=False)
            for line in report_lines(result.value_model or {}):
                out_console.print(line, highlight=False)
            render_report(result.push, as_json=False)
        elif loaded.config.writeback.writes_anything:
            out_console.print("nothing pushed: the sync did not finish", highlight=False)
    raise click.exceptions.Exit(int(code))
