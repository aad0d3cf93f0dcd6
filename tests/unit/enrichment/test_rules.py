"""Rule segments: parsing at config load (with file:line errors) and evaluation."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from pydantic import TypeAdapter, ValidationError

from enrichment.errors import EnrichmentError
from enrichment.rule_evaluation import age_in_years, evaluate_rule, matching_segments
from enrichment.rule_language import Rule
from enrichment.settings import RuleSegment
from sync.config import load_client
from sync.errors import ConfigError
from tests.conftest import VALID_CLIENT

AS_OF = pd.Timestamp("2024-06-30", tz="UTC")
RULE: TypeAdapter[Any] = TypeAdapter(Rule)
TABLE = pd.DataFrame({
    "city": ["Berlin", "berlin", "Paris", None],
    "clv": [1500.0, 200.0, 900.0, None],
    "last_purchase_date": pd.to_datetime(["2024-06-01", "2024-01-15", "2023-05-01", None]),
    "do_not_call": ["1", "0", "true", None],
    "birthdate": ["1990-07-01", "1990-06-30", None, "2030-01-01"],
})


def hits(rule: dict[str, Any], table: pd.DataFrame = TABLE) -> list[bool]:
    return list(evaluate_rule(RULE.validate_python(rule), table, AS_OF))


def test_comparisons() -> None:
    assert hits({"field": "city", "equals": "BERLIN"}) == [True, True, False, False]
    assert hits({"field": "city", "in": ["paris", "Rome"]}) == [False, False, True, False]
    assert hits({"field": "city", "contains": "erl"}) == [True, True, False, False]
    assert hits({"field": "clv", "gt": 900}) == [True, False, False, False]
    assert hits({"field": "clv", "gte": 900}) == [True, False, True, False]
    assert hits({"field": "clv", "lt": 900}) == [False, True, False, False]
    assert hits({"field": "clv", "lte": 900}) == [False, True, True, False]
    assert hits({"field": "clv", "between": [900, 200]}) == [False, True, True, False]
    assert hits({"field": "do_not_call", "equals": True}) == [True, False, True, False]


def test_dates_absolute_and_relative() -> None:
    assert hits({"field": "last_purchase_date", "gte": "90d"}) == [True, False, False, False]
    assert hits({"field": "last_purchase_date", "gte": "6m"}) == [True, True, False, False]
    assert hits({"field": "last_purchase_date", "gte": "12w"}) == [True, False, False, False]
    assert hits({"field": "last_purchase_date", "lt": "1y"}) == [False, False, True, False]
    assert hits({"field": "last_purchase_date", "between": ["2024-01-01", "2024-01-31"]}
                ) == [False, True, False, False]


def test_all_any_not_and_missing_values() -> None:
    rule = {"all": [{"field": "city", "equals": "berlin"},
                    {"any": [{"field": "clv", "gte": 1000}, {"not": {"field": "clv",
                                                                       "gte": 100}}]}]}
    assert hits(rule) == [True, False, False, False]
    assert hits({"not": {"field": "clv", "gte": 100}}) == [False, False, False, True]


def test_age_from_birthdate() -> None:
    age = age_in_years(TABLE["birthdate"], AS_OF)
    assert age.iloc[0] == 33 and age.iloc[1] == 34          # birthday tomorrow / today
    assert pd.isna(age.iloc[2]) and pd.isna(age.iloc[3])    # missing / in the future
    table = TABLE.assign(age=age)
    assert hits({"field": "age", "between": [34, 40]}, table) == [False, True, False, False]


def test_segments_first_match_and_all_matches() -> None:
    segments = [RuleSegment.model_validate({"name": "Berlin", "rule": {
                    "field": "city", "equals": "berlin"}}),
                RuleSegment.model_validate({"name": "High", "rule": {"field": "clv",
                                                                     "gte": 800}})]
    first, every = matching_segments(segments, TABLE, AS_OF)
    assert list(first) == ["Berlin", "Berlin", "High", None]
    assert list(every) == ["Berlin, High", "Berlin", "High", ""]


def test_unknown_field_is_an_enrichment_error() -> None:
    with pytest.raises(EnrichmentError, match="'cty'") as info:
        hits({"field": "cty", "equals": "x"})
    assert info.value.column == "cty"


@pytest.mark.parametrize(("rule", "message"), [
    ({"field": "clv", "gte": 1, "lt": 5}, "exactly one operator"),
    ({"field": "clv"}, "exactly one operator"),
    ({"all": []}, "at least 1 item"),
    ({"field": "clv", "between": [1]}, "two values"),
    ({"field": "clv", "gte": [1, 2]}, "expected a number"),
    ("clv > 5", "a rule is a mapping"),
    ({"field": "1; drop", "equals": 1}, "pattern"),
])
def test_bad_rules_are_rejected(rule: Any, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        RULE.validate_python(rule)


@pytest.fixture
def client_with(write_client: Callable[[str, str], Path], monkeypatch: pytest.MonkeyPatch
                ) -> Callable[[str], Path]:
    """Write acme.yaml: the valid client plus ``extra``."""
    monkeypatch.setenv("ACME_SECRET", "s3cr3t-value")
    return lambda extra: write_client("acme", VALID_CLIENT + extra)


def test_bad_rule_in_client_file_names_line_and_path(client_with: Callable[[str], Path]
                                                     ) -> None:
    text = """\
enrichment:
  segments:
    - name: VIP
      rule:
        all:
          - field: clv
            gte: 1000
          - field: last_purchase_date
            gte: 90d
            lt: 10d
"""
    with pytest.raises(ConfigError) as info:
        load_client(client_with(text))
    [problem] = [str(p) for p in info.value.problems]
    assert problem.startswith("acme.yaml:13 enrichment.segments[0].rule.all[1]: ")
    assert "exactly one operator" in problem and "got gte, lt" in problem


def test_valid_rules_load_from_the_client_file(client_with: Callable[[str], Path]) -> None:
    text = """\
enrichment:
  segments:
    - name: Lapsing VIP
      rule: {all: [{field: clv, gte: 1000}, {not: {field: last_purchase_date, gte: 90d}}]}
"""
    config = load_client(client_with(text)).config
    [segment] = config.enrichment.segments
    assert segment.name == "Lapsing VIP"
