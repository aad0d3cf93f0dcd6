"""Dates as exports write them, parsed column-wise; day and month are never guessed.

Without ``--date-format``: ISO 8601 (with or without time and offset) is read directly.
``13.11.2024`` (dots) is day-first by convention and read strictly so (``03.13.2024`` is not
a date). Numbers joined by ``/``, ``-`` or spaces with the year last (``03/12/2024``) read
both ways, so such a column needs ``--date-format``; the error names the format its values
support and where they are. Dates with a month name and a four-digit year (``Nov 3, 2024``)
are read as written. Anything else (no year, no day, a number alone) is unparsable. Naive
times are UTC. Each distinct text is parsed once.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from enrichment.errors import EnrichmentError
from enrichment.positions import Where, data_row

__all__ = ["parse_dates"]

_NUMERIC_DMY = (r"^(?P<first>\d{1,2})(?P<sep>[/.\- ])(?P<second>\d{1,2})(?P=sep)"
                r"(?P<year>\d{2}|\d{4})(?P<time>[ T].*)?$")
_NO_YEAR = r"^\d{1,2}[/.\- ]\d{1,2}\.?(?:[ T].*)?$"
_WORDED = r"^(?=.*[A-Za-z]{3})(?=.*\b\d{4}\b)(?=.*\b\d{1,2}\b)"
_CLOCKS = ((r"^\d{1,2}:\d{2}:\d{2}$", "%H:%M:%S"), (r"^\d{1,2}:\d{2}$", "%H:%M"),
           (r"^\d{1,2}:\d{2}:\d{2} ?[AaPp][Mm]$", "%I:%M:%S %p"),
           (r"^\d{1,2}:\d{2} ?[AaPp][Mm]$", "%I:%M %p"))
_UTC: Final = "datetime64[ns, UTC]"


def parse_dates(text: pa.Array, *, column: str, date_format: str | None,
                where: Where = data_row) -> pd.Series:
    """UTC datetimes of ``text`` (blank and unparsable values become NaT)."""
    if date_format is None:
        iso = _iso(text)
        if iso is not None:
            return iso
    text = pc.utf8_trim_whitespace(text)
    encoded = pc.dictionary_encode(text)
    distinct = pd.Series(encoded.dictionary.to_pylist(), dtype=object)
    codes: npt.NDArray[np.intp] = encoded.indices.to_numpy(zero_copy_only=False)
    if date_format is not None:
        parsed = _with_format(distinct, date_format)
    else:
        parsed = _without_format(distinct, codes, column, where)
    return pd.Series(pd.DatetimeIndex(parsed).take(codes), copy=False)


def _iso(text: pa.Array) -> pd.Series | None:
    """The column read as ISO 8601 if every non-empty value is (blanks become NaT)."""
    present = pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)
    for target in (pa.timestamp("ns"), pa.timestamp("ns", "UTC")):
        try:
            pc.cast(present.slice(0, 1000), target)   # a failing cast is slow: try a few
            stamps = pc.cast(present, target)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            continue
        series = pd.Series(stamps.to_pandas(), copy=False)
        return series.dt.tz_localize("UTC") if series.dt.tz is None else series
    return None


def _to_utc(values: pd.Series, fmt: str) -> pd.Series:
    """``pd.to_datetime`` with ``fmt``; unparsable and out-of-range values are NaT."""
    try:
        parsed = pd.to_datetime(values, errors="coerce", utc=True, format=fmt)
        return pd.Series(parsed, index=values.index).astype(_UTC)
    except (ValueError, OverflowError):   # out of the ns range: one by one
        if len(values) == 1:
            return pd.Series([pd.NaT], index=values.index, dtype=_UTC)
        pieces = [_to_utc(values.iloc[i:i + 1], fmt) for i in range(len(values))]
        return pd.Series(pd.concat(pieces), index=values.index, dtype=_UTC)


def _with_format(distinct: pd.Series, date_format: str) -> pd.Series:
    return _to_utc(distinct.where(distinct.ne("")), date_format)


def _without_format(distinct: pd.Series, codes: npt.NDArray[np.intp], column: str,
                    where: Where) -> pd.Series:
    parts = distinct.str.extract(_NUMERIC_DMY)
    numeric = parts["first"].notna()
    dotted = numeric & parts["sep"].eq(".")
    swappable = numeric & ~dotted
    if swappable.any():
        raise _needs_format(distinct, parts, swappable, codes, column, where)
    parsed = pd.Series(pd.NaT, index=distinct.index, dtype=_UTC)
    for fmt, group in parts[dotted].groupby(_formats(parts[dotted])):
        parsed[group.index] = _to_utc(distinct[group.index], str(fmt))
    present = distinct.ne("") & ~dotted & ~distinct.str.match(_NO_YEAR)
    iso = _to_utc(distinct[present], "ISO8601")
    parsed[iso.index] = iso
    worded = present & parsed.isna() & distinct.str.contains(_WORDED)
    if worded.any():
        parsed[worded] = _to_utc(distinct[worded], "mixed")
    return parsed


def _needs_format(distinct: pd.Series, parts: pd.DataFrame, swappable: pd.Series,
                  codes: npt.NDArray[np.intp], column: str, where: Where) -> EnrichmentError:
    first = parts["first"].where(swappable).astype(float)
    second = parts["second"].where(swappable).astype(float)
    day_first, month_first = first > 12, second > 12
    either = swappable & ~day_first & ~month_first

    def shown(mask: pd.Series) -> str:
        position = int(np.flatnonzero(mask.to_numpy())[0])
        return f"{distinct.iloc[position]!r} ({where(int(np.argmax(codes == position)))})"

    model = parts[either].iloc[0] if either.any() else parts[swappable].iloc[0]
    dmy, mdy = _format_of(model), _format_of(model, month_first=True)
    if day_first.any() and month_first.any():
        return EnrichmentError(
            f"{shown(day_first)} and {shown(month_first)} both appear: the column mixes "
            "day/month and month/day dates", column=column,
            hint="make the column consistent, then pass --date-format")
    if day_first.any() and either.any():
        return EnrichmentError(f"{shown(day_first)} and {shown(either)} both appear",
                               column=column, hint=f"pass --date-format {dmy}")
    if month_first.any() and either.any():
        return EnrichmentError(f"{shown(month_first)} and {shown(either)} both appear",
                               column=column, hint=f"pass --date-format {mdy}")
    if day_first.any() or month_first.any():
        fmt = dmy if day_first.any() else mdy
        return EnrichmentError(
            f"dates such as {shown(day_first | month_first)} are read only with a format",
            column=column, hint=f"pass --date-format {fmt}")
    return EnrichmentError(
        f"dates such as {shown(either)} read both as day/month and as month/day",
        column=column, hint=f"pass --date-format {dmy} or --date-format {mdy}")


def _formats(parts: pd.DataFrame, *, month_first: bool = False) -> pd.Series:
    """The strftime format of each numeric date's parts (column-wise)."""
    order = "%m{sep}%d{sep}" if month_first else "%d{sep}%m{sep}"
    year = parts["year"].str.len().map({4: "%Y", 2: "%y"})
    formats = parts["sep"].map(lambda sep: order.format(sep=sep)) + year
    time = parts["time"].fillna("")
    clock = pd.Series("", index=parts.index, dtype=object)
    clock[time.str.strip().ne("")] = " ?"         # a time of no known shape: unparsable
    for pattern, code in _CLOCKS:
        shaped = time.str[1:].str.match(pattern)
        clock[shaped] = time[shaped].str[0] + code
    return formats + clock


def _format_of(part: pd.Series, *, month_first: bool = False) -> str:
    """The strftime format of one numeric date's parts."""
    return str(_formats(part.to_frame().T, month_first=month_first).iloc[0])
