"""The context-manager half every connector client shares: leaving the block closes it."""

from __future__ import annotations

from types import TracebackType
from typing import Self


class ClosesOnExit:
    """`with Client(...) as client:` returns the client and calls `close()` on the way out."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Release the client's connections (each client says which)."""
        raise NotImplementedError
