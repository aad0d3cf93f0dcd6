"""The one handler that turns errors into a message and an exit code."""

from __future__ import annotations

from typing import Any

from rich.markup import escape

from cli.exit_codes import ExitCode, status_fields
from cli.output import emit_json, err_console
from connectors.errors import ConnectorError
from enrichment.errors import EnrichmentError
from sync.errors import ConfigError, StateError

__all__ = ["HANDLED_ERRORS", "exit_code_for", "report_error"]

HANDLED_ERRORS = (ConfigError, ConnectorError, StateError, EnrichmentError)


def exit_code_for(error: Exception) -> ExitCode:
    """Configuration and bad input are 2; failures of outside systems or the store are 1."""
    if isinstance(error, ConfigError | EnrichmentError):
        return ExitCode.USAGE
    return ExitCode.FAILED


def _document(error: Exception) -> dict[str, Any]:
    document: dict[str, Any] = {"type": type(error).__name__, "message": str(error)}
    if isinstance(error, ConfigError):
        document["problems"] = [
            {"file": p.file, "line": p.line, "path": p.path, "message": p.message}
            for p in error.problems
        ]
    if isinstance(error, ConnectorError):
        document.update(system=error.system, status=error.status, url=error.url)
    hint = getattr(error, "hint", None)
    if hint:
        document["hint"] = hint
    return document


def report_error(error: Exception, *, json_output: bool) -> ExitCode:
    """Print ``error`` for a person (stderr) and, with --json, as JSON (stdout)."""
    code = exit_code_for(error)
    hint = getattr(error, "hint", None)
    own_line = bool(hint) and not isinstance(error, ConnectorError)
    if isinstance(error, ConfigError):
        for problem in error.problems:
            err_console.print(f"[red]error:[/] {escape(str(problem))}", highlight=False)
    else:
        text = str(error)
        if own_line:
            text = text.removesuffix(f" (hint: {hint})")     # the hint gets its own line
        err_console.print(f"[red]error:[/] {escape(text)}", highlight=False)
    if own_line:
        err_console.print(f"[yellow]hint:[/] {escape(str(hint))}", highlight=False)
    if json_output:
        emit_json({**status_fields(code), "error": _document(error)})
    return code
