"""Write-back: traits into the CRM's mapped fields, diff-only, audited and undoable."""

from __future__ import annotations

from sync.writeback.field_check import FieldProblem, check_fields
from sync.writeback.fieldspec import FieldSpec, load_traits, resolve_specs
from sync.writeback.package import build_package, write_package
from sync.writeback.plan import FieldChange, Plan, RecordChange, Rejection, plan_changes
from sync.writeback.values import ValueRejected, comparable, to_wire

__all__ = [
    "FieldChange",
    "FieldProblem",
    "FieldSpec",
    "Plan",
    "RecordChange",
    "Rejection",
    "ValueRejected",
    "build_package",
    "check_fields",
    "comparable",
    "load_traits",
    "plan_changes",
    "resolve_specs",
    "to_wire",
    "write_package",
]
