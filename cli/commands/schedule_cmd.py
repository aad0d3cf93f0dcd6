"""``suitepulse schedule``: run clients' syncs on their cron schedules until stopped."""

from __future__ import annotations

import click

from cli.context import AppContext, pass_app
from sync.config import LoadedConfig, list_clients
from sync.errors import ConfigError
from sync.scheduler import serve

__all__ = ["schedule"]


@click.command("schedule")
@click.argument("clients", nargs=-1, metavar="[CLIENT ...]")
@click.option("--jobstore", metavar="URL",
              help="SQLAlchemy URL of the job store (default: scheduler.sqlite3 in the data "
                   "folder).")
@pass_app
def schedule(app: AppContext, clients: tuple[str, ...], jobstore: str | None) -> None:
    """Run the named clients (default: every client with a schedule) on their crons.

    Stops on SIGTERM or Ctrl-C after running jobs checkpointed their current page.

    \b
    Examples:
      suitepulse schedule
      suitepulse schedule acme globex
      suitepulse schedule --jobstore postgresql://suitepulse@db/scheduler
    """
    names = list(clients) or list_clients(app.config_dir)
    loaded: list[LoadedConfig] = [app.load(name) for name in names]
    unscheduled = [item.config.client for item in loaded if item.config.schedule is None]
    if clients and unscheduled:
        raise ConfigError.single(str(loaded[0].path.parent), f"{unscheduled[0]} has no schedule",
                                 hint="add schedule: {cron: ..., timezone: ...} to its file")
    scheduled = [item for item in loaded if item.config.schedule is not None]
    if not scheduled:
        raise click.UsageError(f"no client with a schedule in {app.config_dir}")
    serve(scheduled, app.config_dir, jobstore_url=jobstore)
