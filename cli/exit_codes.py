"""The documented exit codes of every command, the one map from a run's outcome to its code,
and the one meaning of ``"ok"`` in ``--json``: true exactly when the exit code is 0."""

from __future__ import annotations

from enum import IntEnum

from sync.run_summary import Outcome

__all__ = ["ExitCode", "exit_code_of", "status_fields"]


class ExitCode(IntEnum):
    """0 done, 1 failed, 2 usage or configuration error, 3 finished with rejected records."""

    OK = 0
    FAILED = 1
    USAGE = 2
    PARTIAL = 3


_BY_OUTCOME = {
    Outcome.OK: ExitCode.OK,
    Outcome.REJECTED: ExitCode.PARTIAL,
    Outcome.FAILED: ExitCode.FAILED,
    Outcome.INTERRUPTED: ExitCode.FAILED,
}


def exit_code_of(outcome: Outcome) -> ExitCode:
    """The exit code of a run (sync, pipeline, demo) that ended with ``outcome``."""
    return _BY_OUTCOME[outcome]


def status_fields(code: ExitCode) -> dict[str, bool | int]:
    """The ``ok`` and ``exit_code`` members every ``--json`` document starts with."""
    return {"ok": code is ExitCode.OK, "exit_code": int(code)}
