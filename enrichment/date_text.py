"""Dates as exports write them, parsed column-wise; day and month are never guessed.

ISO 8601 (with or without time and offset) is read directly. ``13.11.2024`` (dots) is
day-first by convention. ``03/12/2024`` reads both ways, so a column of numeric dates with
``/`` or ``-`` needs ``--date-format``; the error names the format its values support. Other
unambiguous forms (``Nov 3, 2024``, ``2024/11/03``) are parsed as written. Naive times are UTC.
Each distinct text is parsed once.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from enrichment.errors import EnrichmentError

__all__ = ["parse_dates"]

_NUMERIC_DMY = (r"^(?P<first>\d{1,2})(?P<sep>[/.-])(?P<second>\d{1,2})[/.-]"
                r"(?P<year>\d{2}|\d{4})(?P<time>[ T].*)?$")


def parse_dates(text: pa.Array, *, column: str, date_format: str | None) -> pd.Series:
    """UTC datetimes of ``text`` (blank and unparsable values become NaT)."""
    if date_format is None:
        iso = _iso(text)
        if iso is not None:
            return iso
    text = pc.utf8_trim_whitespace(text)
    encoded = pc.dictionary_encode(text)
    distinct = pd.Series(encoded.dictionary.to_pylist(), dtype=object)
    if date_format is not None:
        parsed = _with_format(distinct, date_format)
    else:
        parsed = _without_format(distinct, column)
    codes = encoded.indices.to_numpy(zero_copy_only=False)
    return pd.Series(pd.DatetimeIndex(parsed).take(codes), copy=False)


def _iso(text: pa.Array) -> pd.Series | None:
    """The column read as ISO 8601 if every non-empty value is (blanks become NaT)."""
    present = pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)
    for target in (pa.timestamp("ns"), pa.timestamp("ns", "UTC")):
        try:
            stamps = pc.cast(present, target)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            continue
        series = pd.Series(stamps.to_pandas(), copy=False)
        return series.dt.tz_localize("UTC") if series.dt.tz is None else series
    return None


def _with_format(distinct: pd.Series, date_format: str) -> pd.Series:
    blank = distinct.eq("")
    parsed = pd.to_datetime(distinct.where(~blank), format=date_format, errors="coerce",
                            utc=True)
    return pd.Series(parsed)


def _without_format(distinct: pd.Series, column: str) -> pd.Series:
    parts = distinct.str.extract(_NUMERIC_DMY)
    numeric = parts["first"].notna()
    slashed = numeric & parts["sep"].ne(".")
    if slashed.any():
        raise _needs_format(distinct[slashed], parts[slashed], column)
    present = distinct.where(distinct.ne(""))
    parsed = pd.Series(pd.NaT, index=distinct.index, dtype="datetime64[ns, UTC]")
    dotted = numeric & parts["sep"].eq(".")
    if dotted.any():
        parsed[dotted] = pd.to_datetime(present[dotted], dayfirst=True, format="mixed",
                                        errors="coerce", utc=True)
    rest = ~dotted & present.notna()
    if rest.any():
        readable = pd.to_datetime(present[rest], errors="coerce", utc=True, format="ISO8601")
        retry = readable.isna()
        if retry.any():
            readable[retry] = pd.to_datetime(present[rest][retry], errors="coerce", utc=True,
                                             format="mixed")
        parsed[rest] = readable
    return parsed


def _needs_format(values: pd.Series, parts: pd.DataFrame, column: str) -> EnrichmentError:
    first, second = parts["first"].astype(int), parts["second"].astype(int)
    day_first, month_first = first > 12, second > 12
    example = _sample(values[~day_first & ~month_first]) or _sample(values)
    fmt = _format_of(parts.iloc[0])
    if day_first.any() and month_first.any():
        return EnrichmentError(
            f"{_sample(values[day_first])!r} and {_sample(values[month_first])!r} both appear: "
            "the column mixes day/month and month/day dates", column=column,
            hint="make the column consistent, then pass --date-format")
    if day_first.any():
        return EnrichmentError(
            f"{_sample(values[day_first])!r} and {example!r} both appear", column=column,
            hint=f"pass --date-format {fmt}")
    if month_first.any():
        return EnrichmentError(
            f"{_sample(values[month_first])!r} and {example!r} both appear", column=column,
            hint=f"pass --date-format {_format_of(parts.iloc[0], month_first=True)}")
    return EnrichmentError(
        f"dates such as {example!r} read both as day/month and as month/day", column=column,
        hint=f"pass --date-format {fmt} or "
             f"--date-format {_format_of(parts.iloc[0], month_first=True)}")


def _sample(values: pd.Series) -> str:
    return str(values.iloc[0]) if len(values) else ""


def _format_of(part: pd.Series, *, month_first: bool = False) -> str:
    sep = str(part["sep"])
    year = "%Y" if len(str(part["year"])) == 4 else "%y"
    order = ("%m", "%d") if month_first else ("%d", "%m")
    time = part["time"]
    clock = ""
    if isinstance(time, str) and time.strip():
        clock = " %H:%M:%S" if time.count(":") >= 2 else " %H:%M"
    return f"{order[0]}{sep}{order[1]}{sep}{year}{clock}"
