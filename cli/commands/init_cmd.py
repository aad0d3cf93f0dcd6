"""``suitepulse init``: write a commented client file that validates."""

from __future__ import annotations

import re

import click
from rich.markup import escape

from cli.context import AppContext, pass_app
from cli.output import out_console
from sync.config_template import render_template, write_env_placeholders
from sync.insecure_settings import tighten_file

__all__ = ["init"]


def _client_name(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,62}", value):
        raise click.BadParameter(
            "use lower-case letters, digits, '-' and '_' (e.g. acme or acme-eu)"
        )
    return value


@click.command()
@click.argument("client", metavar="CLIENT", callback=_client_name)
@click.option("--force", is_flag=True, help="Overwrite an existing client file.")
@pass_app
def init(app: AppContext, client: str, force: bool) -> None:
    """Write a commented configuration for a new client.

    An existing .env beside it that other users could read is made mode 0600.

    \b
    Examples:
      suitepulse init acme
      suitepulse --config-dir /etc/suitepulse init acme-eu
    """
    path = app.config_dir / f"{client}.yaml"
    if path.exists() and not force:
        raise click.UsageError(f"{path} exists; use --force to overwrite it")
    app.config_dir.mkdir(parents=True, exist_ok=True)
    path.write_text(render_template(client), encoding="utf-8")
    env_file = app.config_dir / ".env"
    old_mode = tighten_file(env_file)
    added = write_env_placeholders(env_file, client)
    out_console.print(f"wrote {escape(str(path))}", highlight=False)
    if old_mode is not None:
        out_console.print(f"tightened {escape(str(env_file))} from mode {old_mode:04o} to 0600: "
                          "it holds secrets, so only its owner may read it", highlight=False)
    if added:
        out_console.print(
            f"added placeholders for {', '.join(added)} to "
            f"{escape(str(app.config_dir / '.env'))}: put the real values there",
            highlight=False,
        )
    out_console.print(f"next: edit it, then run: suitepulse config validate {client}",
                      highlight=False)
