"""The root of enrichment errors."""

from __future__ import annotations

__all__ = ["EnrichmentError"]


class EnrichmentError(Exception):
    """Input that enrichment cannot compute on.

    ``reason`` says what; ``file``, ``line`` (of a text file, 1-based as an editor counts),
    ``row`` (1-based, as a user counts data rows) and ``column`` say where, and ``hint``
    what to do about it.
    """

    def __init__(
        self,
        reason: str,
        *,
        row: int | None = None,
        column: str | None = None,
        hint: str | None = None,
        file: str | None = None,
        line: int | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.row = row
        self.column = column
        self.hint = hint
        self.file = file
        self.line = line

    def __str__(self) -> str:
        where = []
        if self.file is not None:
            where.append(self.file)
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        text = f"{', '.join(where)}: {self.reason}" if where else self.reason
        return f"{text} (hint: {self.hint})" if self.hint else text
