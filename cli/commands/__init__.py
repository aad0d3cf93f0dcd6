"""The commands of ``suitepulse``, loaded when first used so that each starts quickly."""

from __future__ import annotations

__all__ = ["COMMANDS"]

COMMANDS: dict[str, str] = {
    "init": "cli.commands.init_cmd:init",
    "config": "cli.commands.config_cmd:config",
    "check": "cli.commands.check_cmd:check",
    "sync": "cli.commands.sync_cmd:sync",
    "status": "cli.commands.status_cmd:status",
    "analyze": "cli.commands.analyze_cmd:analyze",
    "push": "cli.commands.push_cmd:push",
    "run": "cli.commands.push_cmd:run",
    "undo": "cli.commands.undo_cmd:undo",
    "fields": "cli.commands.fields_cmd:fields",
    "schedule": "cli.commands.schedule_cmd:schedule",
    "sandbox": "cli.commands.sandbox_cmd:sandbox",
    "report": "cli.commands.report_cmd:report",
    "demo": "cli.commands.demo_cmd:demo",
    "forget": "cli.commands.forget_cmd:forget",
    "explain": "cli.commands.explain_cmd:explain",
    "identity": "cli.commands.identity_cmd:identity",
    "alerts": "cli.commands.alerts_cmd:alerts",
}
"""Command name -> ``module:attribute`` of its click command."""
