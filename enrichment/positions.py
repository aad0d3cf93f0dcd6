"""How an error names the place of a value: ``line 7`` of a CSV file, ``row 7`` of a table.

Parsers get a ``Where``: the 0-based index of a value in its column -> the words a user
looks for. ``data_row`` counts from 1 (a Parquet file or a data frame); a CSV reader passes
its own, which knows the file's lines.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["Where", "data_row"]

Where = Callable[[int], str]


def data_row(index: int) -> str:
    """``row N``, counting data rows from 1."""
    return f"row {index + 1}"
