"""Reading a transaction export (CSV or Parquet) for ``suitepulse analyze``, with clear errors.

CSV is read with pyarrow, only the three named columns, as text, then parsed column-wise
(enrichment.date_text, enrichment.amount_text); nothing iterates per row in Python. Row
numbers in errors are the file's line numbers (the header is line 1), as a spreadsheet shows
them; in a Parquet file they count data rows from 1. A blank amount counts as 0, as a
purchase without an amount does in ``suitepulse run``; a blank customer id or date, or an
unparsable value, is an error naming its row and column.
"""

from __future__ import annotations

import difflib
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from enrichment.amount_text import Decimal, parse_amounts
from enrichment.csv_dialect import sniff_dialect
from enrichment.date_text import parse_dates
from enrichment.errors import EnrichmentError

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
    options = options or ReadOptions()
    columns = [customer_col, date_col, amount_col]
    if not path.is_file():
        raise EnrichmentError(f"no such file: {path}")
    if path.suffix.lower() in _PARQUET_SUFFIXES:
        table, first_row, encoding = _read_parquet(path, columns), 1, "parquet"
    else:
        table, encoding = _read_csv(path, columns, options)
        first_row = 2
    if table.num_rows == 0:
        raise EnrichmentError(f"{path.name} has a header but no transactions")
    customers = pc.utf8_trim_whitespace(_text(table.column(customer_col)))
    _no_blanks(pc.equal(customers, "").to_numpy(zero_copy_only=False), customer_col,
               "customer id", first_row)
    dates = _dates(table.column(date_col), date_col, options, first_row)
    amounts, blank = _amounts(table.column(amount_col), amount_col, options, first_row)
    if blank:
        log.warning("%d transactions have no amount in %r; they count as 0", blank, amount_col)
    frame = pd.DataFrame({
        "customer_id": pc.dictionary_encode(customers).to_pandas(),
        "occurred_at": dates,
        "amount": amounts,
    })
    return TransactionsFile(frame=frame, blank_amounts=blank, encoding=encoding)


def _read_csv(path: Path, columns: list[str], options: ReadOptions) -> tuple[pa.Table, str]:
    dialect = sniff_dialect(path, separator=options.separator, encoding=options.encoding)
    _require_columns(path, dialect.header, columns)
    if dialect.guessed_encoding:
        log.warning("%s is not UTF-8; reading it as cp1252 (pass --encoding to choose)",
                    path.name)
    names = _unique_names(dialect.header)
    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1,
                                           encoding=dialect.encoding),
            parse_options=pacsv.ParseOptions(delimiter=dialect.separator),
            convert_options=pacsv.ConvertOptions(
                include_columns=columns, column_types={name: pa.string() for name in columns},
                strings_can_be_null=False, quoted_strings_can_be_null=False),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError, OSError) as exc:
        raise EnrichmentError(f"cannot read {path.name} as CSV: {_arrow_reason(exc)}",
                              hint="check --sep and --encoding") from None
    return table, dialect.encoding


def _read_parquet(path: Path, columns: list[str]) -> pa.Table:
    try:
        schema = pq.read_schema(path)
        _require_columns(path, list(schema.names), columns)
        return pq.read_table(path, columns=columns)
    except (pa.ArrowInvalid, OSError) as exc:
        raise EnrichmentError(f"cannot read {path.name} as Parquet: {_arrow_reason(exc)}"
                              ) from None


def _require_columns(path: Path, header: list[str], columns: list[str]) -> None:
    for column in columns:
        if column not in header:
            close = difflib.get_close_matches(column, header, n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"columns: {', '.join(header)}"
            raise EnrichmentError(f"{path.name} has no column {column!r}", column=column,
                                  hint=hint)


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
           first_row: int) -> pd.Series:
    if pa.types.is_timestamp(column.type) or pa.types.is_date(column.type):
        stamps = pd.Series(pd.to_datetime(column.to_pandas(), utc=True))
        _no_blanks(stamps.isna().to_numpy(), name, "date", first_row)
        return stamps
    text = _text(column)
    dates = parse_dates(text, column=name, date_format=options.date_format)
    bad = dates.isna().to_numpy()
    _no_blanks(bad, name, "date", first_row, text)
    return dates


def _amounts(column: pa.ChunkedArray, name: str, options: ReadOptions,
             first_row: int) -> tuple[npt.NDArray[np.float64], int]:
    if pa.types.is_integer(column.type) or pa.types.is_floating(column.type):
        values = np.asarray(pc.cast(column, pa.float64()).to_numpy(), dtype=np.float64)
        blank = np.isnan(values)
    else:
        text = _text(column)
        values, blank = parse_amounts(text, column=name, decimal=options.decimal)
        _no_blanks(~np.isfinite(values) & ~blank, name, "amount", first_row, text)
    count = int(blank.sum())
    if count:
        values = np.where(blank, 0.0, values)
    return values, count


def _no_blanks(bad: npt.NDArray[np.bool_], column: str, what: str, first_row: int,
               original: pa.Array | None = None) -> None:
    if not bad.any():
        return
    index = int(np.flatnonzero(bad)[0])
    shown = "" if original is None else str(original[index].as_py())[:40]
    more = int(bad.sum()) - 1
    reason = f"unparsable {what} {shown!r}" if shown else f"missing {what}"
    if more:
        reason += f" (and {more} more rows)"
    raise EnrichmentError(reason, row=index + first_row, column=column,
                          hint="fix or remove the row" if not more else
                          "check the column's format")
