"""``suitepulse forget``: erase one person from a client's store; the erasure is audited."""

from __future__ import annotations

from collections import Counter

import click

from cli.commands.writeback_output import render_report, report_exit_code
from cli.context import AppContext, pass_app
from cli.options import dry_run_option, json_option
from cli.output import emit_json, err_console, out_console
from cli.stop_signals import stop_on_signals
from connectors.errors import ConnectorError
from sync.errors import StateError
from sync.privacy import forget_person, forget_target, parse_record
from sync.run_summary import Outcome
from sync.store import Store
from sync.writeback.commands import clear_client

__all__ = ["forget"]

_STORE_KEPT = "the store was not changed: run the command again"


@click.command()
@click.argument("client")
@click.option("--email", metavar="ADDRESS", help="Erase every record with this e-mail address.")
@click.option("--record", metavar="MODULE:ID", help="Erase this record, e.g. Contacts:4f1c...")
@click.option("--clear-crm-fields", is_flag=True,
              help="First empty the person's mapped fields in the CRM (audited).")
@dry_run_option
@json_option
@pass_app
def forget(app: AppContext, client: str, email: str | None, record: str | None,
           clear_crm_fields: bool, dry_run: bool, as_json: bool) -> None:
    """Erase a person's records, traits, identities and interactions from the store.

    \b
    Audit rows that wrote to their record keep the field names; old and new values become
    "[erased]". One erasure entry (record id, when, row counts) is kept. With
    --clear-crm-fields the mapped fields of their CRM records are emptied first (a run of
    its own, trigger forget); if that does not end well the store is left as it was, so
    the command can be run again. Exit code 1 then (3 when the CRM refused a record).

    \b
    Examples:
      suitepulse forget acme --email ann@example.com --dry-run
      suitepulse forget acme --record Contacts:4f1c2a --json
      suitepulse forget acme --email ann@example.com --clear-crm-fields
    """
    if (email is None) == (record is None):
        raise click.UsageError("give --email ADDRESS or --record MODULE:ID (one of them)")
    loaded = app.load(client)
    named = parse_record(record) if record is not None else None
    cleared = None
    with Store.for_config(loaded.config) as store:
        target = forget_target(loaded.config, store, email=email, record=named)
        if clear_crm_fields and target.records:
            try:
                with stop_on_signals() as stop:
                    cleared = clear_client(loaded.config, target.records, store=store,
                                           dry_run=dry_run, path=loaded.path, stop=stop)
            except (ConnectorError, StateError) as error:
                error.hint = f"{error.hint}; {_STORE_KEPT}" if error.hint else _STORE_KEPT
                raise
            if cleared.outcome is not Outcome.OK:
                render_report(cleared, as_json=as_json)
                if not as_json:
                    err_console.print(_STORE_KEPT, highlight=False)
                raise click.exceptions.Exit(int(report_exit_code(cleared)))
        changes = cleared.changes if cleared is not None else []
        cleared_counts = Counter((c.module, c.record_id) for c in changes for _ in c.changes)
        result = forget_person(loaded.config, store, target=target, dry_run=dry_run,
                               crm_fields_cleared=cleared_counts)
    if as_json:
        document = {"ok": True, **result.as_dict()}
        if cleared is not None:
            document["crm_fields_cleared"] = cleared.fields_written
            document["crm_run_id"] = cleared.run_id
        emit_json(document)
        return
    if cleared is not None:
        verb = "would empty" if dry_run else "emptied"
        out_console.print(f"{verb} {cleared.fields_written} CRM fields of "
                          f"{cleared.records_written} records (run {cleared.run_id})")
    verb = "would erase" if dry_run else "erased"
    if not result.erased and not result.unlinked_interactions:
        out_console.print("nothing in the store names this person")
    for erasure in result.erased:
        counts = ", ".join(f"{n} {table}" for table, n in erasure.counts.items() if n)
        out_console.print(f"{verb} {erasure.module}:{erasure.record_id} ({counts or 'no rows'})")
    if result.unlinked_interactions:
        out_console.print(f"{verb} {result.unlinked_interactions} interactions linked to "
                          "no record")
