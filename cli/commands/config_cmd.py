"""``suitepulse config``: validate and show client configurations."""

from __future__ import annotations

import click
import yaml
from rich.markup import escape

from cli.context import AppContext, pass_app
from cli.errors import report_error
from cli.exit_codes import ExitCode
from cli.options import client_argument, json_option
from cli.output import emit_json, err_console, out_console
from sync.config import LoadedConfig, list_clients
from sync.config_view import redacted_view, stored_fields_view
from sync.errors import ConfigError, ConfigProblem
from sync.writeback.target_list_specs import check_writeback

__all__ = ["config"]


@click.group()
def config() -> None:
    """Validate and show client configurations."""


def _warn(warnings: list[ConfigProblem]) -> None:
    for warning in warnings:
        err_console.print(f"[yellow]warning:[/] {escape(str(warning))}", highlight=False)


@config.command()
@click.argument("client", metavar="[CLIENT]", required=False)
@click.option("--all", "all_clients", is_flag=True, help="Validate every client file.")
@json_option
@pass_app
def validate(app: AppContext, client: str | None, all_clients: bool, as_json: bool) -> None:
    """Check client files against the schema and the write-back mapping against the trait
    registry (as push and fields package do); one line per problem.

    \b
    Examples:
      suitepulse config validate acme
      suitepulse config validate --all --json
      suitepulse --config-dir /etc/suitepulse config validate --all
    """
    if bool(client) == all_clients:
        raise click.UsageError("name one CLIENT or give --all")
    names = list_clients(app.config_dir) if all_clients else [client or ""]
    if not names:
        raise click.UsageError(f"no client files in {app.config_dir}")
    results, failed = [], False
    for name in names:
        try:
            loaded = app.load(name)
            check_writeback(loaded.config, loaded.path)  # the checks push and fields run
        except ConfigError as error:
            failed = True
            error = ConfigError(sorted(error.problems, key=lambda p: (p.file, p.line or 0)),
                                hint=error.hint)
            if not as_json:
                report_error(error, json_output=False)
            results.append({"client": name, "valid": False,
                            "problems": [vars(p) for p in error.problems]})
            continue
        _warn(loaded.warnings)
        if not as_json:
            out_console.print(f"[green]ok[/] {escape(str(loaded.path))}", highlight=False)
        results.append({"client": name, "valid": True, "path": str(loaded.path),
                        "warnings": [vars(w) for w in loaded.warnings]})
    if as_json:
        emit_json({"ok": not failed, "clients": results})
    if failed:
        raise click.exceptions.Exit(int(ExitCode.USAGE))


@config.command()
@client_argument
@json_option
@pass_app
def show(app: AppContext, client: str, as_json: bool) -> None:
    """Print the resolved configuration with every secret redacted, then the fields the
    store keeps of each SuiteCRM module and why (``stored_fields`` in --json).

    \b
    Examples:
      suitepulse config show acme
      suitepulse config show acme --json
    """
    loaded: LoadedConfig = app.load(client)
    _warn(loaded.warnings)
    view = redacted_view(loaded.config)
    stored = stored_fields_view(loaded.config)
    if as_json:
        emit_json({**view, "stored_fields": stored})
        return
    out_console.print(escape(yaml.safe_dump(view, sort_keys=False)), highlight=False, end="")
    out_console.print(escape(_stored_text(stored)), highlight=False, end="")


def _stored_text(stored: dict[str, dict[str, str]]) -> str:
    """The stored fields as YAML comments, so the output stays the client file's shape."""
    lines = ["", "# Stored fields of each SuiteCRM module, and why (data minimisation):"]
    for module, fields in stored.items():
        lines.append(f"#   {module}:")
        width = max(len(name) for name in fields)
        lines += [f"#     {name:<{width}}  {why}" for name, why in fields.items()]
    return "\n".join(lines) + "\n"
