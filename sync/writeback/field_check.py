"""``fields check``: does the server have every mapped field, as the mapping describes it?

Compares the field specs with the server's field metadata (``GET /meta/fields/{Module}``,
which gives type, dbType, len, precision and source but no dropdown options: FACTS.md section
6). Missing fields, other types, shorter lengths and other precisions are problems. A field the
server has must also be in the module's quick filter and filter, which the fields package adds
(``GET /V8/search-defs/module/{Module}``, SuiteCRM 7.10+).

What the V8 API cannot show is reported as not checked: the list view's columns
(``GET /V8/listview/columns/{Module}`` dies with a PHP fatal error in SuiteCRM 7.14, and would
list only the shown columns) and the detail view's panel (no route gives view layouts).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from connectors.errors import FatalAPIError
from connectors.suitecrm import SearchFields
from sync.settings import FieldType
from sync.writeback.fieldspec import FieldSpec

__all__ = ["NOT_CHECKED", "FieldCheck", "FieldProblem", "check_fields", "check_mapping"]

NOT_CHECKED = (
    "list view columns: SuiteCRM's GET /V8/listview/columns dies with a PHP fatal error "
    "(and would list only shown columns); look in Admin > Studio > <Module> > Layouts > "
    "List View",
    "detail view panel: the V8 API shows no view layouts; open a record to see it",
)
"""What the package adds that ``fields check`` cannot see through the V8 API."""

# Types the server may report for a field created as the given type.
_SAME_TYPE = {
    FieldType.DATETIME: {"datetimecombo", "datetime"},
    FieldType.TEXT: {"text", "textarea"},
    FieldType.VARCHAR: {"varchar", "char", "name"},
}


@dataclass(frozen=True)
class FieldProblem:
    """One mapped field that the server lacks or holds differently."""

    module: str
    field: str
    trait: str
    problem: str
    expected: str | None = None
    actual: str | None = None

    def __str__(self) -> str:
        text = f"{self.module}.{self.field} ({self.trait}): {self.problem}"
        if self.expected is not None or self.actual is not None:
            text += f" (expected {self.expected}, server has {self.actual})"
        return text


@dataclass(frozen=True)
class FieldCheck:
    """The problems found and what could not be checked (and why)."""

    checked: int
    problems: list[FieldProblem]
    not_checked: list[str]


def check_mapping(
    specs: Sequence[FieldSpec],
    fields_of: Callable[[str], Mapping[str, Any]],
    search_of: Callable[[str], SearchFields],
) -> FieldCheck:
    """The fields (``check_fields``), then the quick filter and filter of the fields present.

    ``fields_of`` is asked again per field, so it should cache (``SuiteCRMClient.fields``).
    """
    problems = check_fields(specs, fields_of)
    present = [spec for spec in specs if spec.name in fields_of(spec.module)]
    not_checked = list(NOT_CHECKED)
    for module in sorted({spec.module for spec in present}):
        try:
            search = search_of(module)
        except FatalAPIError as error:
            answer = f"HTTP {error.status}: {error.detail or error.reason}"
            not_checked.append(f"{module} quick filter and filter: the server does not show "
                               f"its search layouts ({answer}; SuiteCRM before 7.10 has no "
                               "GET /V8/search-defs)")
            continue
        for spec in (spec for spec in present if spec.module == module):
            for where, names in (("quick filter (basic search)", search.basic),
                                 ("filter (advanced search)", search.advanced)):
                if spec.name not in names:
                    problems.append(FieldProblem(
                        spec.module, spec.name, spec.trait,
                        f"not in the {where}; install the fields package again"))
    return FieldCheck(len(specs), problems, not_checked)


def check_fields(
    specs: Sequence[FieldSpec], fields_of: Callable[[str], Mapping[str, Any]]
) -> list[FieldProblem]:
    """Problems of ``specs`` against ``fields_of(module)`` (e.g. ``client.fields``)."""
    problems: list[FieldProblem] = []
    metadata: dict[str, Mapping[str, Any]] = {}
    for spec in specs:
        if spec.module not in metadata:
            metadata[spec.module] = fields_of(spec.module)
        meta = metadata[spec.module].get(spec.name)
        if meta is None:
            problems.append(FieldProblem(
                spec.module, spec.name, spec.trait,
                "missing; install the fields package (suitepulse fields package)"))
            continue
        problems.extend(_mismatches(spec, meta))
    return problems


def _mismatches(spec: FieldSpec, meta: Any) -> list[FieldProblem]:
    found: list[FieldProblem] = []

    def problem(what: str, expected: object, actual: object) -> None:
        found.append(FieldProblem(spec.module, spec.name, spec.trait, what,
                                  None if expected is None else str(expected),
                                  None if actual is None else str(actual)))

    actual_type = str(getattr(meta, "type", "") or "")
    if actual_type not in _SAME_TYPE.get(spec.type, {spec.type.value}):
        problem("other type", spec.type.value, actual_type or None)
        return found
    source = getattr(meta, "source", None)
    if spec.name.endswith("_c") and source != "custom_fields":
        problem("not a custom field", "custom_fields", source)
    length = _number(getattr(meta, "len", None))
    if spec.type in (FieldType.VARCHAR, FieldType.DECIMAL, FieldType.FLOAT) and (
        spec.len is not None and length is not None and length < spec.len
    ):
        problem("too short", spec.len, length)
    precision = _number(getattr(meta, "precision", None))
    if spec.precision is not None and precision is not None and precision != spec.precision:
        problem("other precision", spec.precision, precision)
    return found


def _number(value: object) -> int | None:
    try:
        return int(str(value)) if value not in (None, "") else None
    except ValueError:
        return None
