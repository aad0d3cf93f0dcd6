"""The ``suitepulse`` command group and its error handling."""

from __future__ import annotations

import importlib
from typing import Any

import click

from cli.commands import COMMANDS
from cli.context import AppContext
from cli.errors import HANDLED_ERRORS, report_error
from cli.logging_setup import configure_logging
from cli.output import err_console

__all__ = ["INTERRUPTED_EXIT", "cli", "main"]

INTERRUPTED_EXIT = 130
"""The exit code after Ctrl-C outside a push, undo or run's graceful stop (128 + SIGINT)."""


class SuitePulseGroup(click.Group):
    """A click group that loads its commands on first use, and whose commands' known errors
    become a message and an exit code."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            module, attribute = COMMANDS[cmd_name].split(":")
            command = getattr(importlib.import_module(module), attribute)
            if not isinstance(command, click.Command):
                raise TypeError(f"{COMMANDS[cmd_name]} is not a click command")
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except HANDLED_ERRORS as error:
            app = ctx.find_object(AppContext)
            code = report_error(error, json_output=bool(app and app.json_output))
            ctx.exit(int(code))
        except KeyboardInterrupt:
            err_console.print("interrupted (Ctrl-C)", highlight=False)
            ctx.exit(INTERRUPTED_EXIT)


@click.group(cls=SuitePulseGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config-dir", type=click.Path(file_okay=False), envvar="SUITEPULSE_CONFIG_DIR",
    help="Folder of client YAML files (default: config/clients; env SUITEPULSE_CONFIG_DIR).",
)
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors on stderr; no progress bars.")
@click.version_option(package_name="suitepulse")
@click.pass_context
def cli(ctx: click.Context, config_dir: str | None, verbose: int, quiet: bool) -> None:
    """SuitePulse keeps SuiteCRM records enriched with customer value, segments and stage.

    \b
    Exit codes: 0 done, 1 failed (or stopped by SIGTERM / Ctrl-C during a push),
                2 usage or configuration error, 3 finished with rejected records,
                130 interrupted by Ctrl-C.
    """
    verbosity = -1 if quiet else verbose
    configure_logging(verbosity)
    ctx.obj = AppContext.create(config_dir, verbosity)



def main() -> None:
    """Entry point of the ``suitepulse`` console script."""
    cli(prog_name="suitepulse")
