"""Logging for the command line: to stderr, rich on a terminal, secrets masked."""

from __future__ import annotations

import logging
import sys

from rich.console import Console
from rich.logging import RichHandler

__all__ = ["SecretFilter", "configure_logging", "log_scheduled_runs", "secret_filter"]


class SecretFilter(logging.Filter):
    """Masks every registered secret value in log messages, whatever logged them."""

    def __init__(self) -> None:
        super().__init__()
        self._secrets: set[str] = set()

    def add(self, *secrets: str | None) -> None:
        """Register values that must never appear in a log line."""
        self._secrets.update(s for s in secrets if s and len(s) >= 4)

    def filter(self, record: logging.LogRecord) -> bool:
        if self._secrets:
            # imported here: httpx and tenacity need not load for commands that talk to no one
            from connectors.http import redact_text

            record.msg, record.args = redact_text(record.getMessage(), self._secrets), None
        return True


secret_filter = SecretFilter()


def configure_logging(verbosity: int) -> None:
    """WARNING by default, INFO with -v, DEBUG with -vv, ERROR only with -q."""
    level = {-1: logging.ERROR, 0: logging.WARNING, 1: logging.INFO}.get(verbosity, logging.DEBUG)
    handler: logging.Handler
    if sys.stderr.isatty():
        handler = RichHandler(console=Console(stderr=True), show_path=False, rich_tracebacks=False)
    else:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(secret_filter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("httpx").setLevel(max(level, logging.WARNING))
    logging.getLogger("httpcore").setLevel(max(level, logging.WARNING))


def log_scheduled_runs(verbosity: int) -> None:
    """At the default verbosity the scheduler still logs its INFO line per run."""
    if verbosity == 0:
        logging.getLogger("sync.scheduler").setLevel(logging.INFO)
