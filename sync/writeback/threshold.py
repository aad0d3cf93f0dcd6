"""Material change: how much a number must move before write-back rewrites its field.

A threshold is absolute (``0.02``: the value must move by at least 0.02) or relative
(``"2%"``: by at least 2 % of the value the CRM holds). Only number fields of float traits
have one; enum, count, text, date and yes/no fields are written on any change. A field that
goes from empty to a value, or back, is always a material change.

Because the comparison is with the value the CRM holds, not with the last computed one,
small moves add up: a value that creeps by 0.5 % a day is rewritten once its total move
passes the threshold.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

__all__ = ["Threshold", "is_material", "parse_threshold"]


@dataclass(frozen=True)
class Threshold:
    """The least move that counts: ``amount`` in the field's units, or a share of the old value."""

    amount: Decimal
    relative: bool

    def __str__(self) -> str:
        shown = (self.amount * 100 if self.relative else self.amount).normalize()
        return f"{shown:f}%" if self.relative else f"{shown:f}"


def parse_threshold(value: str | float | int) -> Threshold:
    """``0.02`` / ``"0.02"`` (absolute) or ``"2%"`` (relative); ValueError if neither."""
    text = str(value).strip()
    relative = text.endswith("%")
    try:
        amount = Decimal(text.removesuffix("%").strip())
    except InvalidOperation:
        raise ValueError(f"min_change {value!r} is not a number or a percentage "
                         "(e.g. 0.02 or \"2%\")") from None
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"min_change {value!r} must be a number of 0 or more")
    return Threshold(amount / 100 if relative else amount, relative)


def is_material(threshold: Threshold | None, old: object, new: object) -> bool:
    """Whether moving the field from ``old`` to ``new`` (comparable forms) is worth a write."""
    if threshold is None or old is None or new is None:
        return old != new
    if not isinstance(old, Decimal | int) or not isinstance(new, Decimal | int):
        return old != new
    move = abs(Decimal(new) - Decimal(old))
    if move == 0:
        return False
    least = threshold.amount * abs(Decimal(old)) if threshold.relative else threshold.amount
    return move >= least
