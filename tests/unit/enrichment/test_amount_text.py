"""Amounts as exports write them: every style reads to its value, and nothing is misread."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from enrichment.amount_text import Decimal, parse_amounts
from enrichment.errors import EnrichmentError

CENTS = st.integers(-10**10, 10**10)


def grouped(whole: int, mark: str) -> str:
    return f"{whole:,}".replace(",", mark)


def us(cents: int) -> str:
    text = f"${grouped(abs(cents) // 100, ',')}.{abs(cents) % 100:02d}"
    return f"({text})" if cents < 0 else text


def german(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}{grouped(abs(cents) // 100, '.')},{abs(cents) % 100:02d} €"


def swiss(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"CHF {sign}{grouped(abs(cents) // 100, chr(39))}.{abs(cents) % 100:02d}"


def french(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}{grouped(abs(cents) // 100, chr(0xA0))},{abs(cents) % 100:02d} EUR"


def plain(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def us_whole(cents: int) -> str:
    return f"{'-' if cents < 0 else ''}{grouped(abs(cents) // 100, ',')}"


def german_whole(cents: int) -> str:
    return f"{'-' if cents < 0 else ''}{grouped(abs(cents) // 100, '.')}"


STYLES: dict[str, tuple[Callable[[int], str], Decimal, bool]] = {
    # name: (writer, its decimal mark, whether it keeps the cents)
    "us": (us, ".", True), "german": (german, ",", True), "swiss": (swiss, ".", True),
    "french": (french, ",", True), "plain": (plain, ".", True),
    "us_whole": (us_whole, ".", False), "german_whole": (german_whole, ",", False),
}


def truth(cents: int, keeps_cents: bool) -> float:
    if keeps_cents:
        return cents / 100
    return float(-(abs(cents) // 100) if cents < 0 else cents // 100)


def parsed(texts: list[str], decimal: Decimal | None) -> np.ndarray:
    values, blank = parse_amounts(pa.array(texts, pa.string()), column="a", decimal=decimal)
    assert not blank.any()
    return values


@settings(deadline=None)   # the first call compiles the regexes
@given(st.sampled_from(sorted(STYLES)), st.lists(CENTS, min_size=1, max_size=20))
def test_each_style_reads_to_its_value_with_its_decimal_mark(style: str,
                                                            cents: list[int]) -> None:
    write, mark, keeps = STYLES[style]
    values = parsed([write(c) for c in cents], mark)
    assert values.tolist() == [truth(c, keeps) for c in cents]


@settings(deadline=None)   # the first call compiles the regexes
@given(st.sampled_from([s for s in sorted(STYLES) if STYLES[s][2]]),
       st.lists(CENTS, min_size=1, max_size=20))
def test_the_decimal_mark_is_found_where_the_cents_show_it(style: str,
                                                           cents: list[int]) -> None:
    write, _, keeps = STYLES[style]
    assert parsed([write(c) for c in cents], None).tolist() == [truth(c, keeps) for c in cents]


def read_or_refused(cells: list[tuple[str, int]], decimal: Decimal | None) -> None:
    """Each amount reads to its value, is NaN (unparsable), or the column is refused."""
    texts = [STYLES[style][0](cents) for style, cents in cells]
    try:
        values = parsed(texts, decimal)
    except EnrichmentError as refused:
        assert decimal is None and refused.column == "a"
        assert refused.hint and "--decimal" in refused.hint
        return
    for value, (style, cents) in zip(values, cells, strict=True):
        assert value == truth(cents, STYLES[style][2]) or (np.isnan(value) and decimal), \
            (style, cents, value)


@settings(deadline=None)   # the first call compiles the regexes
@given(st.sampled_from(sorted(STYLES)), st.lists(CENTS, min_size=1, max_size=20),
       st.booleans())
def test_one_style_is_read_right_or_refused_never_misread(style: str, cents: list[int],
                                                          with_mark: bool) -> None:
    read_or_refused([(style, c) for c in cents], STYLES[style][1] if with_mark else None)


@settings(deadline=None)   # the first call compiles the regexes
@given(st.lists(st.tuples(st.sampled_from([s for s in sorted(STYLES) if STYLES[s][2]]), CENTS),
                min_size=1, max_size=20))
def test_a_column_mixing_decimal_marks_is_refused_never_misread(
        cells: list[tuple[str, int]]) -> None:
    read_or_refused(cells, None)


@settings(deadline=None)   # the first call compiles the regexes
@given(st.lists(CENTS, min_size=1, max_size=10))
def test_the_other_convention_is_never_read_with_a_given_mark(cents: list[int]) -> None:
    assert np.isnan(parsed([us(c) for c in cents], ",")).all()
    assert np.isnan(parsed([german(c) for c in cents], ".")).all()


@pytest.mark.parametrize(("texts", "decimal", "expected"), [
    (["12.50", "-3", ""], None, [12.5, -3.0, np.nan]),
    (["USD 12.50", "12.50-", "(7.25)", "1 234 567.00"], None, [12.5, -12.5, -7.25, 1234567.0]),
    (["1,23,456.00"], None, [123456.0]),                   # Indian grouping
    (["nan", "1.2.3", "12 34.00", "abc", "1.234,5", "1,2345.0"], ".", [np.nan] * 6),
    (["1.2345,6", "12,34,5", "1 2345,00"], ",", [np.nan] * 3),
])
def test_examples(texts: list[str], decimal: Decimal | None, expected: list[float]) -> None:
    values, blank = parse_amounts(pa.array(texts, pa.string()), column="a", decimal=decimal)
    np.testing.assert_array_equal(values, expected)
    assert blank.tolist() == [t == "" for t in texts]     # "nan" is unparsable, not blank


def test_only_thousands_is_refused_naming_where() -> None:
    with pytest.raises(EnrichmentError) as refused:
        parse_amounts(pa.array(["7", "1,500"]), column="a", decimal=None,
                      where=lambda i: f"line {i + 10}")
    assert str(refused.value) == ("column 'a': amounts such as '1,500' (line 11) read as "
                                  "thousands or as decimals (hint: pass --decimal . or "
                                  "--decimal ,)")
