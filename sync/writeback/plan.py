"""Diff planning: which mapped fields of which records change, and to what. Pure.

For each record the CRM holds now, every mapped field is compared at the field's precision
with the new trait value; only fields that differ by at least the field's ``min_change``
(``sync.writeback.threshold``; and, under ``fill_empty``, only fields that are empty in the
CRM) become changes. Smaller moves are kept in ``Plan.below_threshold`` for ``--dry-run``.
Records without traits are left alone, and a value the field cannot hold is rejected with
its reason instead of being sent. An opt-out field (its name says ``opt_out``, ``optout`` or
``unsubscribe``) is only ever set: a change that would clear an opt-out the CRM holds is not
planned, so nothing SuitePulse writes turns one back on.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from sync.settings import WritePolicy
from sync.writeback.fieldspec import FieldSpec
from sync.writeback.threshold import is_material
from sync.writeback.values import ValueRejected, WireValue, comparable, to_wire

__all__ = ["FieldChange", "Plan", "RecordChange", "Rejection", "plan_changes", "wire_of"]

_OPT_OUT = re.compile(r"opt_?out|unsubscri", re.IGNORECASE)
_UNSET_TEXT = frozenset({"", "0", "false", "no", "off"})


@dataclass(frozen=True)
class FieldChange:
    """One field of one record: the value the CRM holds (wire form) and the one to write."""

    field: str
    old: WireValue
    new: WireValue
    trait: str = ""


@dataclass(frozen=True)
class RecordChange:
    """The changed fields of one record; ``extra`` is sent along but not audited."""

    module: str
    record_id: str
    changes: tuple[FieldChange, ...]
    extra: Mapping[str, WireValue] = field(default_factory=dict)

    def attributes(self) -> dict[str, WireValue]:
        """The PATCH attributes: only the changed fields (and ``extra``)."""
        attributes: dict[str, WireValue] = {c.field: c.new for c in self.changes}
        attributes.update(self.extra)
        return attributes


@dataclass(frozen=True)
class Rejection:
    """A record (or one field of it) that was not written, and why."""

    module: str
    record_id: str
    reason: str
    field: str | None = None


@dataclass
class Plan:
    """The changes of one batch of records, what was refused before sending, and the moves
    too small to write (``below_threshold``, one RecordChange per record)."""

    changes: list[RecordChange] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    compared: int = 0
    below_threshold: list[RecordChange] = field(default_factory=list)


def plan_changes(
    specs: Sequence[FieldSpec],
    current: Iterable[tuple[str, Mapping[str, object]]],
    traits: Mapping[str, Mapping[str, object]],
    *,
    extra: Mapping[str, Mapping[str, WireValue]] | None = None,
) -> Plan:
    """The changes that bring ``current`` records up to ``traits``.

    ``specs`` are the mapped fields of one module; ``current`` yields (record id, the CRM's
    values by field name); ``traits`` maps record ids to trait values by trait name. ``extra``
    gives attributes to send along with a record's changes (e.g. its ``date_modified``).
    """
    plan = Plan()
    module = specs[0].module if specs else ""
    for record_id, values in current:
        record_traits = traits.get(record_id)
        if record_traits is None:
            continue
        plan.compared += 1
        changes: list[FieldChange] = []
        small: list[FieldChange] = []
        for spec in specs:
            if spec.trait not in record_traits:
                continue
            old_value = values.get(spec.name)
            old = comparable(old_value, spec)
            if spec.policy is WritePolicy.FILL_EMPTY and old is not None:
                continue
            try:
                new_wire = to_wire(record_traits[spec.trait], spec)
            except ValueRejected as exc:
                plan.rejected.append(Rejection(module, record_id, str(exc), spec.name))
                continue
            new = comparable(new_wire, spec)
            if new == old or _clears_opt_out(spec, old, new):
                continue
            change = FieldChange(spec.name, wire_of(old_value, spec), new_wire, spec.trait)
            (changes if is_material(spec.min_change, old, new) else small).append(change)
        if changes:
            plan.changes.append(RecordChange(
                module, record_id, tuple(changes), dict((extra or {}).get(record_id, {}))))
        if small:
            plan.below_threshold.append(RecordChange(module, record_id, tuple(small)))
    return plan


def wire_of(value: object, spec: FieldSpec) -> WireValue:
    """A value the CRM holds, in the form that writes it back, as far as it can be read."""
    try:
        return to_wire(value, spec, strict=False)
    except ValueRejected:
        return str(value)


def _clears_opt_out(spec: FieldSpec, old: object, new: object) -> bool:
    """Whether writing ``new`` over ``old`` would clear an opt-out the CRM holds."""
    return bool(_OPT_OUT.search(spec.name)) and _is_set(old) and not _is_set(new)


def _is_set(value: object) -> bool:
    if isinstance(value, str):
        return value.strip().lower() not in _UNSET_TEXT
    return bool(value)
