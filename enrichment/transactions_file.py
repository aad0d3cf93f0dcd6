"""Reading a transaction export (CSV) for ``suitepulse analyze``, with clear errors.

Row numbers in errors are the file's line numbers (the header is line 1), as a spreadsheet
shows them.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import numpy as np
import pandas as pd

from enrichment.errors import EnrichmentError

__all__ = ["read_transactions"]


def read_transactions(path: Path, *, customer_col: str, date_col: str,
                      amount_col: str) -> pd.DataFrame:
    """Columns ``customer_id`` (str), ``occurred_at`` (UTC) and ``amount`` (float)."""
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False,
                          usecols=lambda name: name in {customer_col, date_col, amount_col})
        header = pd.read_csv(path, nrows=0).columns.tolist()
    except FileNotFoundError:
        raise EnrichmentError(f"no such file: {path}") from None
    except pd.errors.EmptyDataError:
        raise EnrichmentError(f"{path.name} is empty",
                              hint="export the transactions with a header row") from None
    except (pd.errors.ParserError, UnicodeDecodeError, OSError) as exc:
        raise EnrichmentError(f"cannot read {path.name} as CSV: {exc}") from None
    for column in (customer_col, date_col, amount_col):
        if column not in header:
            close = difflib.get_close_matches(column, header, n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"columns: {', '.join(header)}"
            raise EnrichmentError(f"{path.name} has no column {column!r}", column=column,
                                  hint=hint)
    if raw.empty:
        raise EnrichmentError(f"{path.name} has a header but no transactions")
    customers = raw[customer_col].str.strip()
    _no_blanks(customers, customer_col, "customer id")
    dates = _parse_dates(raw[date_col].str.strip(), date_col)
    amounts = pd.to_numeric(raw[amount_col].str.strip(), errors="coerce")
    _no_blanks(amounts.where(np.isfinite(amounts)), amount_col, "amount",
               raw[amount_col])
    return pd.DataFrame({"customer_id": customers, "occurred_at": dates,
                         "amount": amounts.astype(np.float64)})


def _parse_dates(text: pd.Series, column: str) -> pd.Series:
    dates = pd.to_datetime(text, errors="coerce", utc=True, format="ISO8601")
    retry = dates.isna() & text.ne("")
    if retry.any():
        dates.loc[retry] = pd.to_datetime(text.loc[retry], errors="coerce", utc=True,
                                          format="mixed")
    _no_blanks(dates, column, "date", text)
    return dates


def _no_blanks(values: pd.Series, column: str, what: str,
               original: pd.Series | None = None) -> None:
    bad = values.isna()
    if pd.api.types.is_string_dtype(values):
        bad |= values.eq("")
    if not bad.any():
        return
    index = int(np.flatnonzero(bad.to_numpy())[0])
    shown = "" if original is None else str(original.iloc[index])[:40]
    more = int(bad.sum()) - 1
    reason = f"unparsable {what} {shown!r}" if shown else f"missing {what}"
    if more:
        reason += f" (and {more} more rows)"
    raise EnrichmentError(reason, row=index + 2, column=column,
                          hint="fix or remove the row" if not more else
                          "check the column's format")
