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

import re
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from enrichment.errors import EnrichmentError
from enrichment.positions import Where, data_row

__all__ = ["parse_dates"]

_NUMERIC_DMY = (r"^(?P<first>\d{1,2})(?P<sep>[/.\- ])(?P<second>\d{1,2})(?P<sep2>[/.\- ])"
                r"(?P<year>\d{2}|\d{4})(?P<time>[ T].*)?$")
_NO_YEAR = r"^\d{1,2}[/.\- ]\d{1,2}\.?(?:[ T].*)?$"
_WORDED = r"^(?=.*[A-Za-z]{3})(?=.*\b\d{4}\b)(?=.*\b\d{1,2}\b)"
_CLOCKS = ((r"^[ T]\d{1,2}:\d{2}:\d{2}$", "%H:%M:%S"), (r"^[ T]\d{1,2}:\d{2}$", "%H:%M"),
           (r"^[ T]\d{1,2}:\d{2}:\d{2} ?[AaPp][Mm]$", "%I:%M:%S %p"),
           (r"^[ T]\d{1,2}:\d{2} ?[AaPp][Mm]$", "%I:%M %p"))
_UTC: Final = "datetime64[ns, UTC]"
_NAT = np.datetime64("NaT", "ns")


def parse_dates(text: pa.Array, *, column: str, date_format: str | None,
                where: Where = data_row) -> pd.Series:
    """UTC datetimes of ``text`` (blank and unparsable values become NaT)."""
    if date_format is None:
        iso = _iso(text)
        if iso is not None:
            return iso
    text = pc.utf8_trim_whitespace(text)
    encoded = pc.dictionary_encode(text)
    codes: npt.NDArray[np.intp] = encoded.indices.to_numpy(zero_copy_only=False)
    if date_format is not None:
        distinct = pd.Series(encoded.dictionary.to_pylist(), dtype=object)
        parsed = pd.DatetimeIndex(_with_format(distinct, date_format))
    else:
        naive = _without_format(encoded.dictionary, codes, column, where)
        parsed = pd.DatetimeIndex(naive).tz_localize("UTC")
    return pd.Series(parsed.take(codes), copy=False)


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


def _without_format(distinct: pa.Array, codes: npt.NDArray[np.intp], column: str,
                    where: Where) -> npt.NDArray[np.datetime64]:
    """Naive UTC datetimes of the distinct values (NaT where unparsable)."""
    parts = pc.extract_regex(distinct, _NUMERIC_DMY)
    numeric = pc.fill_null(pc.equal(pc.struct_field(parts, "sep"),
                                    pc.struct_field(parts, "sep2")), False)
    dotted = pc.and_(numeric, pc.equal(pc.struct_field(parts, "sep"), "."))
    swappable = np.asarray(pc.and_not(numeric, dotted).to_numpy(zero_copy_only=False))
    if swappable.any():
        frame = pc.filter(parts, pa.array(swappable)).flatten()
        raise _needs_format(
            pd.Series(distinct.to_pylist(), dtype=object)[swappable].reset_index(drop=True),
            pd.DataFrame({f.name: a.to_pylist() for f, a in zip(parts.type, frame,
                                                                strict=True)}),
            codes, np.flatnonzero(swappable), column, where)
    parsed = np.full(len(distinct), _NAT)
    at = np.flatnonzero(np.asarray(dotted.to_numpy(zero_copy_only=False)))
    if at.size:
        parsed[at] = _day_first(pc.take(parts, pa.array(at)))
    rest = np.ones(len(distinct), dtype=bool)
    rest[at] = False
    rest &= np.asarray(pc.invert(pc.or_(pc.equal(distinct, ""), pc.match_substring_regex(
        distinct, _NO_YEAR))).to_numpy(zero_copy_only=False))
    if rest.any():
        values = pd.Series(pc.filter(distinct, pa.array(rest)).to_pylist(), dtype=object)
        readable = _to_utc(values, "ISO8601")
        worded = readable.isna() & values.str.contains(_WORDED)
        if worded.any():
            readable[worded] = _to_utc(values[worded], "mixed")
        parsed[np.flatnonzero(rest)] = readable.dt.tz_convert(None).to_numpy()
    return parsed


def _day_first(parts: pa.StructArray) -> npt.NDArray[np.datetime64]:
    """Dotted dates (``13.11.2024``, ``3.11.24 14:05``) read as day.month.year, strictly."""
    year = pc.utf8_length(pc.struct_field(parts, "year"))
    time = pc.struct_field(parts, "time")
    clock = pa.array(np.zeros(len(parts), dtype=np.int8))     # 0: no time
    unknown = pc.greater(pc.utf8_length(pc.fill_null(time, "")), 0)
    clock = pc.if_else(unknown, pa.scalar(-1, pa.int8()), clock)
    for number, (pattern, _) in enumerate(_CLOCKS, start=1):
        clock = pc.if_else(pc.fill_null(pc.match_substring_regex(time, pattern), False),
                           pa.scalar(number, pa.int8()), clock)
    joint = pc.if_else(pc.starts_with(pc.fill_null(time, ""), "T"), "T", " ")
    key = pc.binary_join_element_wise(pc.cast(year, pa.string()), pc.cast(clock, pa.string()),
                                      joint, "|")
    text = pc.binary_join_element_wise(pc.struct_field(parts, "first"), ".",
                                       pc.struct_field(parts, "second"), ".",
                                       pc.struct_field(parts, "year"),
                                       pc.fill_null(time, ""), "")
    out = np.full(len(parts), _NAT)
    for group in pc.unique(key).to_pylist():
        length, shape, sep = str(group).split("|")
        if int(shape) < 0:
            continue                                            # a time of no known shape
        fmt = "%d.%m." + ("%Y" if length == "4" else "%y")
        if int(shape):
            fmt += sep + _CLOCKS[int(shape) - 1][1]
        mask = pc.equal(key, group)
        stamps = pc.strptime(pc.filter(text, mask), format=fmt, unit="ns", error_is_null=True)
        exact = pc.and_(   # strptime rolls 31.02. over into March: keep what was written
            pc.equal(pc.day(stamps), pc.cast(pc.filter(pc.struct_field(parts, "first"), mask),
                                              pa.int64())),
            pc.equal(pc.month(stamps), pc.cast(pc.filter(pc.struct_field(parts, "second"),
                                                         mask), pa.int64())))
        kept = pc.if_else(pc.fill_null(exact, False), stamps, pa.scalar(None, stamps.type))
        out[np.flatnonzero(np.asarray(mask.to_numpy(zero_copy_only=False)))] = \
            kept.to_numpy(zero_copy_only=False)
    return out


def _needs_format(values: pd.Series, parts: pd.DataFrame, codes: npt.NDArray[np.intp],
                  positions: npt.NDArray[np.intp], column: str, where: Where
                  ) -> EnrichmentError:
    """The refusal of numeric dates that read both ways (``values``: those, ``positions``:
    their places among the distinct values)."""
    first, second = parts["first"].astype(int), parts["second"].astype(int)
    day_first, month_first = first > 12, second > 12
    either = ~day_first & ~month_first

    def shown(mask: pd.Series) -> str:
        position = int(np.flatnonzero(mask.to_numpy())[0])
        row = int(np.argmax(codes == positions[position]))
        return f"{values.iloc[position]!r} ({where(row)})"

    model = parts[either].iloc[0] if either.any() else parts.iloc[0]
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


def _format_of(part: pd.Series, *, month_first: bool = False) -> str:
    """The strftime format of one numeric date's parts (for a hint)."""
    sep, time = str(part["sep"]), part["time"] if isinstance(part["time"], str) else ""
    year = "%Y" if len(str(part["year"])) == 4 else "%y"
    order = ("%m", "%d") if month_first else ("%d", "%m")
    clock = next((time[0] + code for pattern, code in _CLOCKS if re.match(pattern, time)), "")
    return f"{order[0]}{sep}{order[1]}{sep}{year}{clock}"
