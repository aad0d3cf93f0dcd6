"""``suitepulse identity``: which CRM record an e-mail, a campaign click or a visit lands on."""

from __future__ import annotations

from typing import Any

import click

from cli.context import AppContext, pass_app
from cli.exit_codes import ExitCode, status_fields
from cli.options import client_argument, json_option
from cli.output import emit_json, out_console
from sync.identity_explain import (
    KeyExplanation,
    RecordExplanation,
    conflicts,
    explain_email,
    explain_record,
    explanation_lines,
)
from sync.store import Store

__all__ = ["identity"]


@click.group("identity")
def identity() -> None:
    """Explain how interactions are linked to CRM records."""


@identity.command("explain")
@client_argument
@click.option("--email", "address", metavar="ADDRESS", help="An e-mail address.")
@click.option("--record", metavar="[MODULE:]ID", help="A CRM record (module default Contacts).")
@json_option
@pass_app
def explain(app: AppContext, client: str, address: str | None, record: str | None,
            as_json: bool) -> None:
    """Which record an address links, by which rule; or what links to one record.

    \b
    The address is never printed back, nor stored in clear: it is hashed as the store's
    keys are. Output holds ids, counts and rule names only.

    \b
    Examples:
      suitepulse identity explain acme --email ann@example.com
      suitepulse identity explain acme --record Contacts:4f1c2a9e-... --json
    """
    if (address is None) == (record is None):
        raise click.UsageError("give --email or --record (one of them)")
    config = app.load(client).config
    explanation: KeyExplanation | RecordExplanation
    with Store.for_config(config) as store:
        if address is not None:
            explanation = explain_email(config, store, address)
        else:
            module, _, record_id = (record or "").rpartition(":")
            explanation = explain_record(config, store, module or "Contacts", record_id)
    if as_json:
        emit_json({**status_fields(ExitCode.OK), **explanation.as_dict()})
        return
    for line in explanation_lines(explanation):
        out_console.print(line, highlight=False, markup=False)


@identity.command("conflicts")
@client_argument
@json_option
@pass_app
def conflicts_cmd(app: AppContext, client: str, as_json: bool) -> None:
    """Keys (e-mail addresses) that several CRM records share: they link to none.

    \b
    Each is shown by the records that share it (look them up in SuiteCRM; merge them there
    if they are one person), never by the address.

    \b
    Examples:
      suitepulse identity conflicts acme
    """
    config = app.load(client).config
    with Store.for_config(config) as store:
        shared = conflicts(config, store)
    rows: list[dict[str, Any]] = [
        {"key": n, "kind": key.kind, "records": [list(r) for r in key.records],
         "interactions": key.interactions} for n, key in enumerate(shared, 1)]
    if as_json:
        emit_json({**status_fields(ExitCode.OK), "conflicts": rows})
        return
    if not rows:
        out_console.print("no key is shared by several records", highlight=False)
    for row in rows:
        records = ", ".join(f"{m} {r}" for m, r in row["records"])
        out_console.print(f"key {row['key']} ({row['kind']}): {records}; "
                          f"{row['interactions']} interactions linked to none",
                          highlight=False, markup=False)
