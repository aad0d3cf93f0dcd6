"""``suitepulse forget``: erase one person from a client's store; the erasure is audited."""

from __future__ import annotations

import click

from cli.context import AppContext, pass_app
from cli.options import dry_run_option, json_option
from cli.output import emit_json, out_console
from sync.privacy import forget_person, parse_record
from sync.store import Store

__all__ = ["forget"]


@click.command()
@click.argument("client")
@click.option("--email", metavar="ADDRESS", help="Erase every record with this e-mail address.")
@click.option("--record", metavar="MODULE:ID", help="Erase this record, e.g. Contacts:4f1c...")
@dry_run_option
@json_option
@pass_app
def forget(app: AppContext, client: str, email: str | None, record: str | None,
           dry_run: bool, as_json: bool) -> None:
    """Erase a person's records, traits, identities and interactions from the store.

    \b
    Audit rows that wrote to their record keep the field names; old and new values become
    "[erased]". One erasure entry (record id, when, row counts) is kept.

    \b
    Examples:
      suitepulse forget acme --email ann@example.com --dry-run
      suitepulse forget acme --record Contacts:4f1c2a --json
    """
    if (email is None) == (record is None):
        raise click.UsageError("give --email ADDRESS or --record MODULE:ID (one of them)")
    loaded = app.load(client)
    target = parse_record(record) if record is not None else None
    with Store.for_config(loaded.config) as store:
        result = forget_person(loaded.config, store, email=email, record=target,
                               dry_run=dry_run)
    if as_json:
        emit_json({"ok": True, **result.as_dict()})
        return
    verb = "would erase" if dry_run else "erased"
    if not result.erased and not result.unlinked_interactions:
        out_console.print("nothing in the store names this person")
    for erasure in result.erased:
        counts = ", ".join(f"{n} {table}" for table, n in erasure.counts.items() if n)
        out_console.print(f"{verb} {erasure.module}:{erasure.record_id} ({counts or 'no rows'})")
    if result.unlinked_interactions:
        out_console.print(f"{verb} {result.unlinked_interactions} interactions linked to "
                          "no record")
