"""Amounts as exports write them: ``12.50``, ``$1,234.50``, ``1.234,50 €``, ``(12.00)``.

Currency symbols, three-letter currency codes and spaces around the number are dropped;
``(x)`` and a trailing ``-`` are negative. Thousands are grouped by the other mark than the
decimal one, or by spaces or ``'`` between digits, in groups of three (``1,23,456.00``, the
Indian grouping, too). The decimal mark is ``--decimal`` or, when not given, what the values
show (``1.234,50`` or ``12,5`` show a comma, ``1,234.50`` or ``12.5`` a dot). Values that show
both, or only separators followed by exactly three digits (``1,234`` is 1234 or 1.234), are
refused rather than guessed, and so is a value whose grouping does not fit its mark
(``1,234.50`` with ``--decimal ,``). Each distinct text is parsed once; a blank amount is
returned as NaN with its own mask, an unparsable one as NaN outside it.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from enrichment.errors import EnrichmentError
from enrichment.positions import Where, data_row

__all__ = ["Decimal", "parse_amounts"]

Decimal = Literal[".", ","]

_SPACE = r"[\s\p{Zs}]"
_NOISE = r"\p{Sc}|^[A-Za-z]{3}|[A-Za-z]{3}$"
_GROUP_MARK = r"(\d)[\s\p{Zs}'’](\d)"     # a space or ' between digits groups thousands
_COMMA_SHOWN = r",\d{1,2}$|,\d{4,}$|\.\d*,|\.\d{3}\."
_DOT_SHOWN = r"\.\d{1,2}$|\.\d{4,}$|,\d*\.|,\d{3},"
_SEPARATED = r"[.,]"
_NUMBER = {
    ".": r"^[-+]?(\d+|\d{1,3}(,\d{3})+|\d{1,3}(_\d{3})+|\d{1,2}(,\d{2})+,\d{3})?(\.\d*)?$",
    ",": r"^[-+]?(\d+|\d{1,3}(\.\d{3})+|\d{1,3}(_\d{3})+)?(,\d*)?$",
}


def parse_amounts(text: pa.Array, *, column: str, decimal: Decimal | None,
                  where: Where = data_row
                  ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    """Amounts of ``text``, NaN where blank or unparsable; and where it is blank."""
    fast = _plain(text, decimal)
    if fast is not None:
        blank = np.asarray(pc.equal(text, "").to_numpy(zero_copy_only=False), dtype=bool)
        return fast, blank
    text = pc.utf8_trim(text, " \t\r\n\u00a0\u202f")
    blank = np.asarray(pc.equal(text, "").to_numpy(zero_copy_only=False), dtype=bool)
    encoded = pc.dictionary_encode(text)
    cleaned = _cleaned(encoded.dictionary)
    codes: npt.NDArray[np.intp] = encoded.indices.to_numpy(zero_copy_only=False)
    mark = decimal if decimal is not None else _decimal_shown(cleaned, codes, column, where)
    return _numbers(cleaned, mark)[codes], blank


def _plain(text: pa.Array, decimal: Decimal | None) -> npt.NDArray[np.float64] | None:
    """Plain numbers (``12.5``, ``-3``) without the text clean-up, when every value is one."""
    if decimal == ",":
        return None
    present = pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)
    try:
        numbers = pc.cast(present, pa.float64())
    except pa.ArrowInvalid:
        return None
    if decimal is None and _only_thousands(present):
        return None
    return np.asarray(numbers.to_numpy(zero_copy_only=False), dtype=np.float64)


def _only_thousands(values: pa.Array) -> bool:
    """Every separated value has exactly three digits after its separators (``1.500``)."""
    separated = pc.match_substring_regex(values, _SEPARATED)
    if not pc.any(separated).as_py():
        return False
    grouped = pc.match_substring_regex(values, r"^[-+]?\d{1,3}([.,]\d{3})+$")
    return bool(pc.all(pc.or_kleene(pc.invert(separated), grouped)).as_py())


def _cleaned(distinct: pa.Array) -> pa.Array:
    """Symbols and codes dropped, digit groups joined by ``_``, signs in front."""
    text = pc.replace_substring_regex(distinct, _NOISE, "")
    text = pc.utf8_trim(text, " \t\u00a0\u202f")
    text = pc.replace_substring_regex(text, _GROUP_MARK, r"\1_\2")
    text = pc.replace_substring_regex(text, _GROUP_MARK, r"\1_\2")   # overlapping: 1 234 567
    text = pc.replace_substring_regex(text, _SPACE, "")
    text = pc.replace_substring_regex(text, r"^\((.*)\)$", r"-\1")
    return pc.replace_substring_regex(text, r"^([^-].*)-$", r"-\1")


def _decimal_shown(cleaned: pa.Array, codes: npt.NDArray[np.intp], column: str,
                   where: Where) -> Decimal:
    comma = pc.match_substring_regex(cleaned, _COMMA_SHOWN)
    dot = pc.match_substring_regex(cleaned, _DOT_SHOWN)
    if pc.any(comma).as_py() and pc.any(dot).as_py():
        raise EnrichmentError(
            f"amounts are written both ways, e.g. {_first(cleaned, comma, codes, where)} and "
            f"{_first(cleaned, dot, codes, where)}", column=column,
            hint="pass --decimal , or --decimal . for the mark the file uses")
    if pc.any(comma).as_py():
        return ","
    if pc.any(dot).as_py():
        return "."
    separated = pc.match_substring_regex(cleaned, _SEPARATED)
    if pc.any(separated).as_py():
        raise EnrichmentError(
            f"amounts such as {_first(cleaned, separated, codes, where)} read as thousands "
            "or as decimals", column=column, hint="pass --decimal . or --decimal ,")
    return "."


def _first(values: pa.Array, mask: pa.Array, codes: npt.NDArray[np.intp],
           where: Where) -> str:
    """The first value under ``mask`` and where it is (distinct values: first seen first)."""
    position = int(np.flatnonzero(np.asarray(mask.to_numpy(zero_copy_only=False)))[0])
    text = str(values[position].as_py()).replace("_", " ")
    return f"{text!r} ({where(int(np.argmax(codes == position)))})"


def _numbers(cleaned: pa.Array, mark: Decimal) -> npt.NDArray[np.float64]:
    valid = pc.match_substring_regex(cleaned, _NUMBER[mark])
    valid = pc.and_(valid, pc.match_substring_regex(cleaned, r"\d"))
    if mark == ",":
        cleaned = pc.replace_substring(pc.replace_substring(cleaned, ".", ""), ",", ".")
    else:
        cleaned = pc.replace_substring(cleaned, ",", "")
    cleaned = pc.replace_substring(cleaned, "_", "")
    kept = pc.if_else(valid, cleaned, pa.scalar(None, pa.string()))
    return np.asarray(pc.cast(kept, pa.float64()).to_numpy(zero_copy_only=False),
                      dtype=np.float64)
