"""Which line of a CSV file a record starts on, for errors that name it.

pyarrow numbers records, not lines: a quoted field can span lines and blank lines are
skipped. Only an error needs the line, so the file is scanned with the csv module then, up
to the record asked for.
"""

from __future__ import annotations

import csv
from pathlib import Path

__all__ = ["record_line"]


def record_line(path: Path, *, encoding: str, separator: str, record: int) -> int | None:
    """The 1-based line where data record ``record`` (0-based, after the header) starts."""
    with path.open(encoding=encoding, errors="replace", newline="") as handle:
        reader = csv.reader(handle, delimiter=separator)
        seen, before = -1, 0            # the header is record -1
        for fields in reader:
            start, before = before + 1, reader.line_num
            if not fields:
                continue
            if seen == record:
                return start
            seen += 1
    return None
