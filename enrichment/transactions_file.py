"""Reading a transaction export (CSV or Parquet) for ``suitepulse analyze``, with clear errors.

CSV is read with pyarrow, only the three named columns, as text, then parsed column-wise
(enrichment.date_text, enrichment.amount_text); nothing iterates per row in Python. Every
refused value is named by file, line (the header is line 1; found by enrichment.csv_lines
only when there is an error) and column; in a Parquet file by data row, counted from 1. A
blank amount counts as 0, as a purchase without an amount does in ``suitepulse run``; a
blank customer id or date, or an unparsable value, is an error. A file that is UTF-8 in its
first 64 KiB and not further on is read again as cp1252 (else Latin-1), with a warning.
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from enrichment.amount_text import Decimal, parse_amounts
from enrichment.csv_dialect import Dialect, sniff_dialect
from enrichment.csv_lines import record_line
from enrichment.date_text import parse_dates
from enrichment.errors import EnrichmentError
from enrichment.positions import Where, data_row

__all__ = ["ReadOptions", "TransactionsFile", "read_transactions"]

log = logging.getLogger(__name__)

_PARQUET_SUFFIXES = {".parquet", ".pq"}


@dataclass(frozen=True)
class ReadOptions:
    """How to read the file; ``None`` means find out from the file."""

    separator: str | None = None
    decimal: Decimal | None = None
    encoding: str | None = None
    date_format: str | None = None


@dataclass(frozen=True)
class TransactionsFile:
    """The transactions, and what reading them noticed."""

    frame: pd.DataFrame
    """``customer_id`` (categorical of str), ``occurred_at`` (UTC) and ``amount`` (float)."""
    blank_amounts: int
    encoding: str


def read_transactions(path: Path, *, customer_col: str, date_col: str, amount_col: str,
                      options: ReadOptions | None = None) -> TransactionsFile:
    """The three columns of ``path``, checked and typed."""
    try:
        return _read(path, [customer_col.strip(), date_col.strip(), amount_col.strip()],
                     options or ReadOptions())
    except EnrichmentError as error:
        error.file = error.file or path.name
        raise


def _read(path: Path, columns: list[str], options: ReadOptions) -> TransactionsFile:
    customer_col, date_col, amount_col = columns
    if not path.is_file():
        raise EnrichmentError(f"no such file: {path}")
    place: _Place
    if path.suffix.lower() in _PARQUET_SUFFIXES:
        table, encoding = _read_parquet(path, columns), "parquet"
        place = _Place(data_row, None)
    else:
        table, dialect = _read_csv(path, columns, options)
        encoding = dialect.encoding
        place = _Place(*_csv_place(path, dialect))
    if table.num_rows == 0:
        raise EnrichmentError("the file has a header but no transactions")
    customers = pc.utf8_trim_whitespace(_text(table.column(customer_col)))
    _no_blanks(pc.equal(customers, "").to_numpy(zero_copy_only=False), customer_col,
               "customer id", place)
    dates = _dates(table.column(date_col), date_col, options, place)
    amounts, blank = _amounts(table.column(amount_col), amount_col, options, place)
    if blank:
        log.warning("%d transactions have no amount in %r; they count as 0", blank, amount_col)
    frame = pd.DataFrame({
        "customer_id": pc.dictionary_encode(customers).to_pandas(),
        "occurred_at": dates,
        "amount": amounts,
    })
    return TransactionsFile(frame=frame, blank_amounts=blank, encoding=encoding)


@dataclass(frozen=True)
class _Place:
    """How to name a value's place: as words (``line 7``) and as a line number, if any."""

    where: Where
    line: Callable[[int], int | None] | None


def _csv_place(path: Path, dialect: Dialect) -> tuple[Where, Callable[[int], int | None]]:
    def line(index: int) -> int | None:
        return record_line(path, encoding=dialect.encoding, separator=dialect.separator,
                           record=index)

    def where(index: int) -> str:
        number = line(index)
        return f"line {number}" if number is not None else f"record {index + 1}"

    return where, line


def _read_csv(path: Path, columns: list[str], options: ReadOptions
              ) -> tuple[pa.Table, Dialect]:
    dialect = sniff_dialect(path, separator=options.separator, encoding=options.encoding)
    _require_columns(dialect.header, columns)
    if dialect.guessed_encoding:
        _warn_encoding(path, dialect.encoding)
    try:
        return _arrow_csv(path, columns, dialect), dialect
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        if options.encoding is not None or not dialect.encoding.startswith("utf-8") or \
                "UTF8" not in str(exc):
            raise _unreadable(exc) from None
    for encoding in ("cp1252", "latin-1"):     # UTF-8 at the start only
        retry = replace(dialect, encoding=encoding, guessed_encoding=True)
        try:
            table = _arrow_csv(path, columns, retry)
        except UnicodeDecodeError:
            continue
        except (pa.ArrowInvalid, OSError) as exc:
            raise _unreadable(exc) from None
        _warn_encoding(path, encoding)
        return table, retry
    raise AssertionError("latin-1 decodes any byte")


def _warn_encoding(path: Path, encoding: str) -> None:
    log.warning("%s is not UTF-8; reading it as %s (pass --encoding to choose)",
                path.name, encoding)


def _arrow_csv(path: Path, columns: list[str], dialect: Dialect) -> pa.Table:
    try:
        return pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(column_names=_unique_names(dialect.header),
                                           skip_rows=1, encoding=dialect.encoding),
            parse_options=pacsv.ParseOptions(delimiter=dialect.separator),
            convert_options=pacsv.ConvertOptions(
                include_columns=columns, column_types={name: pa.string() for name in columns},
                strings_can_be_null=False, quoted_strings_can_be_null=False),
        )
    except OSError as exc:
        raise _unreadable(exc) from None


def _unreadable(exc: BaseException) -> EnrichmentError:
    return EnrichmentError(f"cannot read the file as CSV: {_arrow_reason(exc)}",
                           hint="check --sep and --encoding")


def _read_parquet(path: Path, columns: list[str]) -> pa.Table:
    try:
        schema = pq.read_schema(path)
        _require_columns(list(schema.names), columns)
        return pq.read_table(path, columns=columns)
    except (pa.ArrowInvalid, OSError) as exc:
        raise EnrichmentError(f"cannot read the file as Parquet: {_arrow_reason(exc)}"
                              ) from None


def _require_columns(header: list[str], columns: list[str]) -> None:
    for column in columns:
        if column not in header:
            close = difflib.get_close_matches(column, header, n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"columns: {', '.join(header)}"
            raise EnrichmentError("there is no such column", column=column, hint=hint)


def _unique_names(header: list[str]) -> list[str]:
    """Header names, a repeated one suffixed (only the first of a name is read)."""
    seen: dict[str, int] = {}
    names = []
    for name in header:
        count = seen.get(name, 0)
        seen[name] = count + 1
        names.append(name if not count else f"{name}\x00{count}")
    return names


def _arrow_reason(exc: BaseException) -> str:
    return str(exc).splitlines()[0][:200]


def _text(column: pa.ChunkedArray) -> pa.Array:
    """The column as one string array, nulls as ``""`` (not trimmed)."""
    values = column.combine_chunks()
    if not pa.types.is_string(values.type) and not pa.types.is_large_string(values.type):
        values = pc.cast(values, pa.string())
    return pc.fill_null(values, "")


def _dates(column: pa.ChunkedArray, name: str, options: ReadOptions,
           place: _Place) -> pd.Series:
    if pa.types.is_timestamp(column.type) or pa.types.is_date(column.type):
        stamps = pd.Series(pd.to_datetime(column.to_pandas(), utc=True))
        _no_blanks(stamps.isna().to_numpy(), name, "date", place)
        return stamps
    text = _text(column)
    dates = parse_dates(text, column=name, date_format=options.date_format,
                        where=place.where)
    bad = dates.isna().to_numpy()
    many = int(bad.sum()) > 1 and options.date_format is None
    _no_blanks(bad, name, "date", place, text,
               hint="check the column's format or pass --date-format" if many else None)
    return dates


def _amounts(column: pa.ChunkedArray, name: str, options: ReadOptions,
             place: _Place) -> tuple[npt.NDArray[np.float64], int]:
    if pa.types.is_integer(column.type) or pa.types.is_floating(column.type):
        values = np.asarray(pc.cast(column, pa.float64()).to_numpy(), dtype=np.float64)
        blank = np.isnan(values)
    else:
        text = _text(column)
        values, blank = parse_amounts(text, column=name, decimal=options.decimal,
                                      where=place.where)
        _no_blanks(~np.isfinite(values) & ~blank, name, "amount", place, text,
                   hint="check --decimal" if options.decimal is not None else None)
    count = int(blank.sum())
    if count:
        values = np.where(blank, 0.0, values)
    return values, count


def _no_blanks(bad: npt.NDArray[np.bool_], column: str, what: str, place: _Place,
               original: pa.Array | None = None, hint: str | None = None) -> None:
    if not bad.any():
        return
    index = int(np.flatnonzero(bad)[0])
    shown = "" if original is None else str(original[index].as_py())[:40]
    more = int(bad.sum()) - 1
    reason = f"unparsable {what} {shown!r}" if shown else f"missing {what}"
    if more:
        reason += f" (and {more} more rows)"
    line = place.line(index) if place.line is not None else None
    raise EnrichmentError(
        reason, line=line, row=index + 1 if place.line is None else None, column=column,
        hint=hint or ("fix or remove the row" if not more else "check the column's format"))
