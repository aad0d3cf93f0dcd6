"""Which customers a target list holds: a segment named in ``writeback.target_lists``. Pure.

A key is one of:

- a segment's name: an RFM segment of the client's grid, a lifecycle stage, or a rule segment
  (``Champions``, ``loyalty``, ``Lapsing VIP``); a name two of these share must be written
  with its trait (``lifecycle_stage = loyalty``);
- ``trait = value`` for an enum or text trait (``rfm_segment = At Risk``); for
  ``rule_segments`` or ``rule_segment`` it means "matches that rule segment";
- a band of a number trait: ``churn_risk >= 0.7``, ``clv < 100``, ``0.3 <= churn_risk < 0.7``.

A customer whose trait is empty (never bought, model not trusted) is in no band.
"""

from __future__ import annotations

import math
import numbers
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from enrichment.traits import TraitSpec

__all__ = ["SegmentSelector", "parse_selector"]

_NUMBER = r"-?\d+(?:\.\d+)?"
_COMPARE = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt}
_FLIP = {">=": "<=", ">": "<", "<=": ">=", "<": ">"}
_ONE_SIDE = re.compile(rf"^\s*(?P<trait>[a-z_]+)\s*(?P<op>>=|<=|>|<)\s*(?P<bound>{_NUMBER})\s*$")
_TWO_SIDES = re.compile(rf"^\s*(?P<low>{_NUMBER})\s*(?P<lop><=|<)\s*(?P<trait>[a-z_]+)\s*"
                        rf"(?P<hop><=|<)\s*(?P<high>{_NUMBER})\s*$")
_EQUALS = re.compile(r"^\s*(?P<trait>[a-z_]+)\s*=\s*(?P<value>\S.*?)\s*$")
_NAMED_BY = ("rfm_segment", "lifecycle_stage", "rule_segments")
_RULE_TRAITS = ("rule_segment", "rule_segments")
_NUMBER_KINDS = ("float", "int")
_CHOICE_KINDS = ("enum", "text")

Test = Callable[[object], bool]


@dataclass(frozen=True)
class SegmentSelector:
    """The customers of one segment: ``trait`` passes ``test``; ``text`` says which, for
    people (``RFM segment Champions``, ``churn_risk >= 0.7``)."""

    key: str
    trait: str
    text: str
    test: Test

    def holds(self, traits: Mapping[str, object]) -> bool:
        """Whether a customer with these traits is in the segment."""
        return self.test(traits.get(self.trait))


def parse_selector(key: str, traits: Mapping[str, TraitSpec]) -> SegmentSelector:
    """The selector a ``writeback.target_lists`` key stands for; ``ValueError`` says why not."""
    if match := _TWO_SIDES.match(key):
        trait = _number_trait(match["trait"], traits)
        low = _bound(match["lop"], float(match["low"]), flip=True)
        high = _bound(match["hop"], float(match["high"]))
        return SegmentSelector(key, trait, key.strip(),
                               lambda value: low(value) and high(value))
    if match := _ONE_SIDE.match(key):
        trait = _number_trait(match["trait"], traits)
        return SegmentSelector(key, trait, key.strip(),
                               _bound(match["op"], float(match["bound"])))
    if match := _EQUALS.match(key):
        return _equals(key, match["trait"], match["value"], traits)
    return _named(key, traits)


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    return None if math.isnan(value) else float(value)


def _bound(op: str, bound: float, *, flip: bool = False) -> Test:
    compare = _COMPARE[_FLIP[op] if flip else op]

    def test(value: object) -> bool:
        number = _number(value)
        return number is not None and bool(compare(number, bound))
    return test


def _number_trait(name: str, traits: Mapping[str, TraitSpec]) -> str:
    spec = traits.get(name)
    if spec is None:
        raise ValueError(f"{name!r} is not a trait")
    if spec.kind not in _NUMBER_KINDS:
        raise ValueError(f"{name} is a {spec.kind.value} trait: a band needs a number trait")
    return name


def _member_of(name: str) -> Test:
    def test(value: object) -> bool:
        return isinstance(value, str) and name in value.split(", ")
    return test


def _equal_to(wanted: str) -> Test:
    def test(value: object) -> bool:
        return value == wanted
    return test


def _equals(key: str, name: str, value: str, traits: Mapping[str, TraitSpec]) -> SegmentSelector:
    spec = traits.get(name)
    if spec is None:
        raise ValueError(f"{name!r} is not a trait")
    if spec.kind not in _CHOICE_KINDS:
        raise ValueError(f"{name} is a {spec.kind.value} trait: compare it with >=, >, <= or <")
    if name in _RULE_TRAITS:
        _known(value, traits["rule_segment"].options, "rule segment")
        return SegmentSelector(key, "rule_segments", f"rule segment {value}", _member_of(value))
    if spec.kind == "enum":
        _known(value, spec.options, spec.label or name)
    return SegmentSelector(key, name, f"{spec.label or name} {value}", _equal_to(value))


def _known(value: str, options: tuple[str, ...], what: str) -> None:
    if value in options:
        return
    close = [o for o in options if o.casefold() == value.casefold()]
    hint = f"; did you mean {close[0]!r}?" if close else f" (known: {', '.join(options)})"
    raise ValueError(f"{value!r} is not a {what}{hint}")


def _named(key: str, traits: Mapping[str, TraitSpec]) -> SegmentSelector:
    name = key.strip()
    owners = [trait for trait in _NAMED_BY
              if name in traits[_RULE_TRAITS[0] if trait in _RULE_TRAITS else trait].options]
    if len(owners) > 1:
        raise ValueError(f"{name!r} is both " + " and ".join(owners)
                         + f"; write it as '{owners[0]} = {name}'")
    if not owners:
        known = [o for trait in ("rfm_segment", "lifecycle_stage", "rule_segment")
                 for o in traits[trait].options]
        close = [o for o in known if o.casefold() == name.casefold()]
        hint = f"did you mean {close[0]!r}?" if close else (
            "name an RFM segment, a lifecycle stage or a rule segment, or a band such as "
            "'churn_risk >= 0.7'")
        raise ValueError(f"{name!r} is no segment: {hint}")
    return _equals(key, owners[0], name, traits)
