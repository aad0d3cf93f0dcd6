"""``suitepulse alerts``: check that a client's alert channels reach someone."""

from __future__ import annotations

import click
from rich.markup import escape

from cli.context import AppContext, pass_app
from cli.exit_codes import ExitCode
from cli.options import client_argument, json_option
from cli.output import emit_json, out_console
from sync.alerts import deliver, trial_alert
from sync.errors import ConfigError, ConfigProblem

__all__ = ["alerts"]


@click.group()
def alerts() -> None:
    """Check a client's alert channels."""


@alerts.command("test")
@client_argument
@json_option
@pass_app
def test(app: AppContext, client: str, as_json: bool) -> None:
    """Send a test alert through each channel in the client's ``alerts`` settings; one line
    per channel (sent, or failed and why). Exit 0 when every channel sent it, 1 otherwise.

    \b
    Examples:
      suitepulse alerts test acme
      suitepulse alerts test acme --json
    """
    loaded = app.load(client)
    settings = loaded.config.alerts
    if settings.webhook_url is None and settings.smtp is None:
        raise ConfigError([ConfigProblem(str(loaded.path), None, "alerts",
                                         "no alert channel configured (set webhook_url "
                                         "and/or smtp)")])
    deliveries = deliver(settings, trial_alert(loaded.config.client))
    ok = all(d.sent for d in deliveries)
    if as_json:
        emit_json({"client": loaded.config.client, "ok": ok,
                   "channels": [d.as_dict() for d in deliveries]})
    else:
        for d in deliveries:
            outcome = "[green]sent[/]" if d.sent else f"[red]failed[/] ({escape(d.reason or '')})"
            out_console.print(f"{d.channel} {escape(d.target)}: {outcome}", highlight=False)
    if not ok:
        raise click.exceptions.Exit(int(ExitCode.FAILED))
