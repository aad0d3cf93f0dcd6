"""SIGTERM and Ctrl-C during a push, undo or run: finish what is in flight, then stop."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from cli.output import err_console

__all__ = ["stop_on_signals"]


@contextmanager
def stop_on_signals() -> Iterator[threading.Event]:
    """An event set by SIGTERM or the first Ctrl-C (SIGINT).

    The work sends nothing more, records the requests in flight and returns its report; a
    second Ctrl-C interrupts at once (``KeyboardInterrupt``: one line, exit 130). Outside the
    main thread no handler is installed.
    """
    stop = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return

    def handler(signum: int, _frame: FrameType | None) -> None:
        if stop.is_set():
            if signum == signal.SIGINT:
                raise KeyboardInterrupt
            return
        stop.set()
        err_console.print(f"{signal.Signals(signum).name}: finishing the requests in flight, "
                          "then stopping (Ctrl-C again to quit at once)", highlight=False)

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield stop
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
