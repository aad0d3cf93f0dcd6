"""``suitepulse explain``: why one customer has its segment, stage and value."""

from __future__ import annotations

import click

from cli.context import AppContext, pass_app
from cli.exit_codes import ExitCode, status_fields
from cli.options import client_argument, json_option
from cli.output import emit_json, out_console
from sync.explain import explain_customer, explanation_lines
from sync.store import Store

__all__ = ["explain"]


@click.command("explain")
@client_argument
@click.argument("record_id")
@json_option
@pass_app
def explain(app: AppContext, client: str, record_id: str, as_json: bool) -> None:
    """Explain one customer's traits: inputs, RFM scores, stage, segments, value, writes.

    \b
    Traits are computed from the state store as of now and not saved; the value model is
    the one the last run stored. --json holds ids, numbers and segment names only.

    \b
    Examples:
      suitepulse explain acme 4f1c2a9e-...
      suitepulse explain acme 4f1c2a9e-... --json
    """
    config = app.load(client).config
    with Store.for_config(config) as store:
        explanation = explain_customer(config, store, record_id)
    if as_json:
        emit_json({**status_fields(ExitCode.OK), **explanation.as_dict()})
        return
    for line in explanation_lines(explanation):
        out_console.print(line, highlight=False, markup=False)
