"""``suitepulse undo``: restore what a run wrote, where nobody changed it since."""

from __future__ import annotations

import click
from rich.table import Table

from cli.commands.writeback_output import render_report, report_exit_code
from cli.context import AppContext, pass_app
from cli.exit_codes import ExitCode
from cli.options import dry_run_option, json_option
from cli.output import emit_json, out_console
from cli.stop_signals import stop_on_signals
from sync.config import LoadedConfig, list_clients
from sync.errors import ConfigError, StateError
from sync.store import Store
from sync.writeback.audit import AuditLog
from sync.writeback.commands import has_store, undo_client

__all__ = ["undo"]


@click.command()
@click.argument("run_id", metavar="[RUN_ID]", required=False)
@click.option("--client", "client", metavar="CLIENT",
              help="The client the run belongs to (default: look in every client's store).")
@click.option("--list", "list_runs", is_flag=True, help="List the runs that wrote to the CRM.")
@dry_run_option
@json_option
@pass_app
def undo(app: AppContext, run_id: str | None, client: str | None, list_runs: bool,
         dry_run: bool, as_json: bool) -> None:
    """Restore the values a run overwrote; later edits are listed, never overwritten.

    \b
    Exit code 3 when records could not be restored (rejected or deleted), 1 when writes
    failed or SIGTERM / Ctrl-C stopped it; an undo that was stopped or killed can be
    run again: fields already restored are left alone.

    \b
    Examples:
      suitepulse undo --list --client acme
      suitepulse undo 20260503T140736-3fa2c1 --dry-run
      suitepulse undo 20260503T140736-3fa2c1 --client acme --json
    """
    if list_runs:
        if run_id:
            raise click.UsageError("give RUN_ID or --list, not both")
        _list(app, client, as_json=as_json)
        return
    if not run_id:
        raise click.UsageError("name the RUN_ID to undo (suitepulse undo --list shows them)")
    loaded = app.load(client) if client else _owner(app, run_id)
    with Store.for_config(loaded.config) as store, stop_on_signals() as stop:
        report = undo_client(loaded.config, run_id, store=store, dry_run=dry_run,
                             path=loaded.path, stop=stop)
    render_report(report, as_json=as_json)
    raise click.exceptions.Exit(int(report_exit_code(report)))


def _clients(app: AppContext, client: str | None) -> list[LoadedConfig]:
    if client:
        return [app.load(client)]
    found = []
    for name in list_clients(app.config_dir):
        try:
            found.append(app.load(name))
        except ConfigError:
            continue
    return found


def _owner(app: AppContext, run_id: str) -> LoadedConfig:
    for loaded in _clients(app, None):
        if has_store(loaded):
            with Store.for_config(loaded.config) as store:
                if AuditLog(store.engine).state_counts(run_id):
                    return loaded
    raise StateError(f"no client's store has a run {run_id!r} that wrote to the CRM",
                     hint="suitepulse undo --list shows the runs; --client names the client")


def _list(app: AppContext, client: str | None, *, as_json: bool) -> None:
    rows = []
    for loaded in _clients(app, client):
        if has_store(loaded):
            with Store.for_config(loaded.config) as store:
                rows += [(loaded.config.client, run) for run in AuditLog(store.engine).runs()]
    if as_json:
        emit_json({"ok": True, "runs": [
            {"client": name, "run_id": run.run_id, "started": run.started.isoformat(),
             "fields": run.fields, "records": run.records} for name, run in rows]})
        return
    if not rows:
        out_console.print("no run has written to the CRM yet")
        raise click.exceptions.Exit(int(ExitCode.OK))
    table = Table("client", "run", "written at (UTC)", "records", "fields")
    for name, run in rows:
        table.add_row(name, run.run_id, f"{run.started:%Y-%m-%d %H:%M:%S}", str(run.records),
                      str(run.fields))
    out_console.print(table)
