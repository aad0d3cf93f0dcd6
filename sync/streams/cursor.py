"""Cursor values as text in the store, and the look-back applied before a read."""

from __future__ import annotations

from datetime import datetime, timedelta

__all__ = ["CursorValue", "decode_cursor", "encode_cursor", "later", "rewind"]

CursorValue = datetime | int | str


def encode_cursor(value: CursorValue) -> str:
    """The text saved for a cursor value; ``decode_cursor`` gives the same value back."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("datetime cursors must be timezone-aware")
        return f"datetime:{value.isoformat()}"
    if isinstance(value, bool):
        raise TypeError("a bool is not a cursor")
    if isinstance(value, int):
        return f"int:{value}"
    return f"str:{value}"


def decode_cursor(text: str) -> CursorValue:
    """The cursor value saved as ``text``."""
    kind, _, body = text.partition(":")
    if kind == "datetime":
        return datetime.fromisoformat(body)
    if kind == "int":
        return int(body)
    if kind == "str":
        return body
    raise ValueError(f"not a saved cursor: {text[:40]!r}")


def rewind(value: CursorValue, lookback: timedelta) -> CursorValue:
    """Where to read from: a datetime cursor minus the look-back; other cursors as they are."""
    return value - lookback if isinstance(value, datetime) else value


def later(current: CursorValue | None, candidate: CursorValue | None) -> CursorValue | None:
    """The greater of two cursor values (None is smallest)."""
    if candidate is None:
        return current
    if current is None:
        return candidate
    return candidate if candidate > current else current  # type: ignore[operator]
