"""How a CSV export is written: its encoding, separator and header, found from its first bytes.

Spreadsheet exports differ by locale: a German Excel writes ``;`` and cp1252, a US one ``,``
and UTF-8 (often with a byte-order mark). The separator is the candidate that splits the
header and the first lines into the same number of fields (more than one); the encoding is
UTF-8 when the sample decodes as UTF-8, else cp1252 (a superset of Latin-1's printable
range), else Latin-1. A file whose first 64 KiB are UTF-8 but not the rest is read again by
``enrichment.transactions_file`` with ``fallback_encoding``.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass
from pathlib import Path

from enrichment.errors import EnrichmentError

__all__ = ["SEPARATORS", "Dialect", "fallback_encoding", "sniff_dialect"]

SEPARATORS = (",", ";", "\t", "|")
_SAMPLE_BYTES = 1 << 16
_SAMPLE_LINES = 50


@dataclass(frozen=True)
class Dialect:
    """The encoding (a Python codec name), the separator and the trimmed header names."""

    encoding: str
    separator: str
    header: list[str]
    guessed_encoding: bool = False
    """True when the file is not UTF-8 and cp1252 or Latin-1 was assumed (worth a warning)."""


def sniff_dialect(path: Path, *, separator: str | None = None,
                  encoding: str | None = None) -> Dialect:
    """The file's dialect; ``separator`` and ``encoding`` given by the user win."""
    with path.open("rb") as handle:
        sample = handle.read(_SAMPLE_BYTES)
    if not sample.strip():
        raise EnrichmentError("the file is empty", hint="export the transactions with a "
                              "header row")
    guessed = False
    if encoding is None:
        encoding, guessed = _encoding_of(sample)
    try:
        text = _decode_sample(sample, encoding)
    except LookupError:
        raise EnrichmentError(f"unknown encoding {encoding!r}",
                              hint="use a Python codec name such as utf-8, cp1252 or latin-1"
                              ) from None
    except UnicodeDecodeError as error:
        raise EnrichmentError(f"the file is not {encoding}: {error.reason} at byte "
                              f"{error.start}", hint="pass the file's --encoding") from None
    lines = text.lstrip("\ufeff").splitlines()[:_SAMPLE_LINES]
    if len(lines) > 1 and len(sample) == _SAMPLE_BYTES:
        lines = lines[:-1]          # the last line of a cut sample may be partial
    chosen = separator if separator is not None else _separator_of(lines)
    header = next(csv.reader([lines[0]], delimiter=chosen)) if lines else []
    return Dialect(encoding=encoding, separator=chosen,
                   header=[name.strip() for name in header], guessed_encoding=guessed)


def _encoding_of(sample: bytes) -> tuple[str, bool]:
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", False
    try:
        _decode_sample(sample, "utf-8")
    except UnicodeDecodeError:
        return fallback_encoding(sample), True
    return "utf-8", False


def fallback_encoding(data: bytes) -> str:
    """cp1252 where ``data`` decodes so, else Latin-1 (which decodes any byte)."""
    try:
        _decode_sample(data, "cp1252")
    except UnicodeDecodeError:
        return "latin-1"
    return "cp1252"


def _decode_sample(sample: bytes, encoding: str) -> str:
    """Decode a sample that may end inside a multi-byte character."""
    decoder = codecs.getincrementaldecoder(encoding)()
    return decoder.decode(sample, final=False)


def _separator_of(lines: list[str]) -> str:
    best, best_fields = ",", 1
    for candidate in SEPARATORS:
        widths = {len(row) for row in csv.reader(io.StringIO("\n".join(lines)),
                                                 delimiter=candidate) if row}
        if len(widths) == 1 and (fields := widths.pop()) > best_fields:
            best, best_fields = candidate, fields
    return best
