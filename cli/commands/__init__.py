"""The commands of ``suitepulse``; each module adds its own."""

from __future__ import annotations

import click

from cli.commands import (
    analyze_cmd,
    check_cmd,
    config_cmd,
    fields_cmd,
    init_cmd,
    push_cmd,
    sandbox_cmd,
    schedule_cmd,
    status_cmd,
    sync_cmd,
    undo_cmd,
)

__all__ = ["register_commands"]


def register_commands(group: click.Group) -> None:
    """Add every command to the ``suitepulse`` group."""
    group.add_command(init_cmd.init)
    group.add_command(config_cmd.config)
    group.add_command(check_cmd.check)
    group.add_command(analyze_cmd.analyze)
    group.add_command(sync_cmd.sync)
    group.add_command(status_cmd.status)
    group.add_command(schedule_cmd.schedule)
    group.add_command(fields_cmd.fields)
    group.add_command(undo_cmd.undo)
    group.add_command(push_cmd.push)
    group.add_command(push_cmd.run)
    group.add_command(sandbox_cmd.sandbox)
