"""Long id lists cut into pieces an ``IN (...)`` takes on every database."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

__all__ = ["CHUNK", "chunked"]

T = TypeVar("T")

CHUNK = 500
"""Items per ``IN`` list: well below SQLite's and PostgreSQL's parameter limits."""


def chunked(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    """``items`` in consecutive slices of at most ``size``."""
    for start in range(0, len(items), size):
        yield items[start:start + size]
