"""``suitepulse schedule``: run clients' syncs on their cron schedules until stopped."""

from __future__ import annotations

import logging

import click
from rich.markup import escape

from cli.context import AppContext, pass_app
from cli.logging_setup import log_scheduled_runs
from cli.output import err_console
from sync.errors import ConfigError, ConfigProblem
from sync.scheduler import serve

__all__ = ["schedule"]

log = logging.getLogger(__name__)


@click.command("schedule")
@click.argument("clients", nargs=-1, metavar="[CLIENT ...]")
@click.option("--jobstore", metavar="URL",
              help="SQLAlchemy URL of the job store (default: scheduler-<key>.sqlite3 in the "
                   "data folder, one per config folder).")
@click.option("--check", is_flag=True,
              help="Validate every client's file and schedule, list all problems (exit 2), "
                   "and start nothing.")
@pass_app
def schedule(app: AppContext, clients: tuple[str, ...], jobstore: str | None,
             check: bool) -> None:
    """Run the named clients (default: every client with a schedule) on their crons.

    A client whose file is broken is reported and left out; the others are scheduled.
    Stops on SIGTERM or Ctrl-C after running jobs checkpointed their current page.

    \b
    Examples:
      suitepulse schedule --check
      suitepulse schedule
      suitepulse schedule acme globex
      suitepulse schedule --jobstore postgresql://suitepulse@db/scheduler
    """
    loaded, broken = app.load_all(list(clients) or None)
    problems = [problem for found in broken.values() for problem in found]
    if clients:
        problems.extend(
            ConfigProblem(str(item.path), None, "schedule", "missing; this client has no "
                          "schedule (add schedule: {cron: ..., timezone: ...})")
            for item in loaded if item.config.schedule is None)
    scheduled = [item for item in loaded if item.config.schedule is not None]
    if check:
        if problems:
            raise ConfigError(problems)
        click.echo(f"ok: {len(scheduled)} scheduled client(s) in {app.config_dir}")
        return
    if clients and problems:
        raise ConfigError(problems)
    for problem in problems:
        err_console.print(f"[red]error:[/] {escape(str(problem))} (not scheduled)",
                          highlight=False)
        log.error("client file not scheduled: %s", problem)
    if not scheduled:
        raise click.UsageError(f"no client with a schedule in {app.config_dir}")
    log_scheduled_runs(app.verbosity)
    serve(scheduled, app.config_dir, jobstore_url=jobstore)
