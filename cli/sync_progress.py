"""Progress of a sync run on stderr: rich bars on a terminal, plain lines otherwise."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn

from cli.output import err_console
from sync.pull import ProgressCallback

__all__ = ["sync_progress"]

_PLAIN_EVERY_SECONDS = 5.0


@contextmanager
def sync_progress(*, enabled: bool) -> Iterator[ProgressCallback]:
    """A progress callback for ``sync_client``; silent when not ``enabled``."""
    if not enabled:
        yield lambda _stream, _phase, _count: None
        return
    if sys.stderr.isatty():
        columns = (SpinnerColumn(), TextColumn("{task.description}"),
                   TextColumn("{task.completed:,.0f} records"), TimeElapsedColumn())
        with Progress(*columns, console=err_console, transient=False) as bars:
            tasks: dict[tuple[str, str], TaskID] = {}

            def advance(stream: str, phase: str, count: int) -> None:
                key = (stream, phase)
                if key not in tasks:
                    label = stream if phase == "pull" else f"{stream} ({phase})"
                    tasks[key] = bars.add_task(label, total=None)
                bars.advance(tasks[key], count)

            yield advance
        return
    totals: dict[tuple[str, str], int] = {}
    last_line = [0.0]

    def line(stream: str, phase: str, count: int) -> None:
        key = (stream, phase)
        first = key not in totals
        totals[key] = totals.get(key, 0) + count
        now = time.monotonic()
        if first or now - last_line[0] >= _PLAIN_EVERY_SECONDS:
            last_line[0] = now
            err_console.print(f"{stream} {phase}: {totals[key]} records", highlight=False)

    yield line
