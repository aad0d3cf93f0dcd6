"""The documented exit codes of every command."""

from __future__ import annotations

from enum import IntEnum

__all__ = ["ExitCode"]


class ExitCode(IntEnum):
    """0 done, 1 failed, 2 usage or configuration error, 3 finished with rejected records."""

    OK = 0
    FAILED = 1
    USAGE = 2
    PARTIAL = 3
