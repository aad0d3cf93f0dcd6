"""The ``suitepulse`` command line: thin click commands over sync, enrichment and sandbox."""

from __future__ import annotations

from cli.exit_codes import ExitCode

__all__ = ["ExitCode"]
