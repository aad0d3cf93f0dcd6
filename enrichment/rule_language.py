"""The rule language of rule segments: a typed syntax tree parsed from the client YAML.

A rule is a mapping with exactly one of ``all`` (a list of rules, every one must hold),
``any`` (a list, at least one must hold), ``not`` (one rule) or ``field`` plus exactly one
operator: ``equals``, ``in``, ``between``, ``contains``, ``gt``, ``gte``, ``lt``, ``lte``.
Values are numbers, text, booleans, ISO dates, or relative dates such as ``90d``, ``12w``,
``6m`` or ``1y`` (that long before the day the traits are computed). Pydantic parses rules at
config load, so a bad rule is reported with its file, line and field path; nothing is ever
evaluated as code.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationInfo,
    field_validator,
    model_validator,
)

__all__ = [
    "OPERATORS",
    "AllRule",
    "AnyRule",
    "Condition",
    "NotRule",
    "RelativeDate",
    "Rule",
    "RuleValue",
    "parse_relative_date",
]

OPERATORS = ("equals", "in", "between", "contains", "gt", "gte", "lt", "lte")
_RELATIVE = re.compile(r"^\s*(?P<count>\d{1,5})\s*(?P<unit>[dwmy])\s*$")
_FIELD = r"^[A-Za-z_][A-Za-z0-9_]{0,99}$"


class RelativeDate(BaseModel):
    """A span before the computation date: ``90d``, ``12w``, ``6m``, ``1y``."""

    model_config = ConfigDict(frozen=True)

    count: int = Field(ge=0)
    unit: Literal["d", "w", "m", "y"]

    def __str__(self) -> str:
        return f"{self.count}{self.unit}"


def parse_relative_date(text: str) -> RelativeDate | None:
    """``RelativeDate`` for texts like ``90d``; ``None`` for any other text."""
    match = _RELATIVE.match(text)
    if match is None:
        return None
    return RelativeDate(count=int(match["count"]), unit=match["unit"])


RuleValue = bool | int | float | date | RelativeDate | str


def _scalar(value: Any) -> Any:
    if isinstance(value, str):
        relative = parse_relative_date(value)
        if relative is not None:
            return relative
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return value
    if isinstance(value, bool | int | float | date):
        return value
    raise ValueError(f"expected a number, text, date or relative date such as 90d, "
                     f"not {type(value).__name__}")


class Condition(BaseModel):
    """``field`` compared by exactly one operator."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    field: str = Field(pattern=_FIELD, description="A record field or a computed trait.")
    equals: RuleValue | None = None
    in_: list[RuleValue] | None = Field(None, alias="in", min_length=1)
    between: tuple[RuleValue, RuleValue] | None = None
    contains: str | None = Field(None, min_length=1)
    gt: RuleValue | None = None
    gte: RuleValue | None = None
    lt: RuleValue | None = None
    lte: RuleValue | None = None

    @field_validator("equals", "gt", "gte", "lt", "lte", mode="before")
    @classmethod
    def _parse_scalar(cls, value: Any) -> Any:
        return None if value is None else _scalar(value)

    @field_validator("in_", "between", mode="before")
    @classmethod
    def _parse_list(cls, value: Any, info: ValidationInfo) -> Any:
        if not isinstance(value, list | tuple):
            raise ValueError("expected a list of values")
        if info.field_name == "between" and len(value) != 2:
            raise ValueError("between needs two values: [low, high]")
        return [_scalar(item) for item in value]

    @model_validator(mode="after")
    def _one_operator(self) -> Condition:
        given = self.operators()
        if len(given) != 1:
            names = ", ".join(OPERATORS)
            found = f"got {', '.join(given)}" if given else "got none"
            raise ValueError(f"a condition needs exactly one operator of {names}; {found}")
        if self.between is not None and any(isinstance(v, bool) for v in self.between):
            raise ValueError("between needs two numbers or dates")
        return self

    def operators(self) -> list[str]:
        """The operators given (one, once validated)."""
        values = {"equals": self.equals, "in": self.in_, "between": self.between,
                  "contains": self.contains, "gt": self.gt, "gte": self.gte,
                  "lt": self.lt, "lte": self.lte}
        return [name for name, value in values.items() if value is not None]

    @property
    def operator(self) -> str:
        """The one operator of this condition."""
        return self.operators()[0]

    @property
    def operand(self) -> Any:
        """The value the operator compares with."""
        return {"in": self.in_}.get(self.operator, getattr(self, self.operator, None))


class AllRule(BaseModel):
    """Every rule in ``all`` holds."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    all: list[Rule] = Field(min_length=1)


class AnyRule(BaseModel):
    """At least one rule in ``any`` holds."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    any: list[Rule] = Field(min_length=1)


class NotRule(BaseModel):
    """The rule in ``not`` does not hold."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    not_: Rule = Field(alias="not")


def _rule_kind(value: Any) -> str | None:
    if isinstance(value, BaseModel):
        kinds: dict[type[BaseModel], str] = {AllRule: "all", AnyRule: "any", NotRule: "not"}
        kind = kinds.get(type(value), "condition")
        return f"rule[{kind}]"
    if not isinstance(value, dict):
        return None
    for key in ("all", "any", "not"):
        if key in value:
            return f"rule[{key}]"
    return "rule[condition]"


Rule = Annotated[
    Annotated[AllRule, Tag("rule[all]")]
    | Annotated[AnyRule, Tag("rule[any]")]
    | Annotated[NotRule, Tag("rule[not]")]
    | Annotated[Condition, Tag("rule[condition]")],
    Discriminator(_rule_kind, custom_error_type="invalid_rule",
                  custom_error_message="a rule is a mapping with all, any, not or field"),
]

AllRule.model_rebuild()
AnyRule.model_rebuild()
NotRule.model_rebuild()
