"""Storage failures (disk full, read-only store, database down) as one ``StateError``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import SQLAlchemyError

from sync.errors import StateError

__all__ = ["state_error", "storage_errors"]

_AFTER = ("; writes already sent are settled by the next push, undo or sync, which read "
          "their records back")


def state_error(error: SQLAlchemyError) -> StateError:
    """The one-line ``StateError`` for a failure of the store, with what to do about it."""
    cause = str(getattr(error, "orig", None) or error).splitlines()[0][:200]
    lowered = cause.lower()
    if "full" in lowered or "no space" in lowered:
        hint = "free space on the disk of the state store and run again" + _AFTER
    elif "readonly" in lowered or "read-only" in lowered or "permission" in lowered:
        hint = ("the state store is read-only: check the file's and its folder's permissions "
                "(status and report work on a read-only store)")
    else:
        hint = "check the store's disk space and that the database runs" + _AFTER
    return StateError(f"the state store failed: {type(error).__name__}: {cause}", hint=hint)


@contextmanager
def storage_errors() -> Iterator[None]:
    """Turn any ``SQLAlchemyError`` inside the block into ``state_error``."""
    try:
        yield
    except SQLAlchemyError as error:
        raise state_error(error) from None
