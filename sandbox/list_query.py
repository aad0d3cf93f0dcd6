"""Validate the list parameters (page, sort, fields, filter) and turn them into SQL."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sandbox.responses import ApiError
from sandbox.schema import ModuleDef, Schema, field_is_stored
from sandbox.values import coerce_filter_value, value_kind

__all__ = ["ListQuery", "check_options", "parse_fields", "parse_list_query", "parse_page"]

_OPERATORS = {"eq": "=", "neq": "<>", "gt": ">", "gte": ">=", "lt": "<", "lte": "<=",
              "like": "LIKE", "and": "AND", "or": "OR"}
_DIGITS = re.compile(r"^\d+$")
_SORT = re.compile(r"^[\w-]+$")
_FIELDS = re.compile(r"^[\w\-,]+$")
DB_FAILURE = "Database failure. Please refer to suitecrm.log for details."


@dataclass
class ListQuery:
    """A validated list request."""

    size: int | None = None
    number: int | None = None
    fields: list[str] | None = None
    where: str = "deleted = 0"
    params: list[Any] = field(default_factory=list)
    order_by: str = "id"
    deleted_rows: bool = False
    email_path: bool = False


def check_options(params: dict[str, Any], defined: list[str]) -> None:
    """Reject any parameter the route does not define, like Symfony's OptionsResolver."""
    for key in params:
        if key not in defined:
            names = ", ".join(f'"{n}"' for n in sorted(defined))
            raise ApiError(f'The option "{key}" does not exist. Defined options are: {names}.')


def parse_page(value: Any) -> tuple[int | None, int | None]:
    """``page[size]`` and ``page[number]`` (None when absent)."""
    if value is None:
        return None, None
    if not isinstance(value, dict) or any(
        not isinstance(v, str) or not _DIGITS.match(v) for v in value.values()
    ):
        raise ApiError('The option "page" with value array is invalid.')
    check_options(value, ["number", "size"])
    for key in ("size", "number"):
        if key in value and int(value[key]) <= 0:
            raise ApiError(f'The option "{key}" with value "{value[key]}" is invalid.')
    size = int(value["size"]) if "size" in value else None
    number = int(value["number"]) if "number" in value else None
    return size, number


def parse_fields(schema: Schema, value: Any) -> list[str] | None:
    """``fields[Module]=a,b``: checked against that module, applied to the listed one."""
    if value is None:
        return None
    if not isinstance(value, dict) or not value:
        raise ApiError('The option "fields" with value array is invalid.')
    key, names = next(iter(value.items()))
    if not isinstance(names, str) or not _FIELDS.match(names):
        raise ApiError('The option "fields" with value array is invalid.')
    module = schema.resolve(key)
    if module is None:
        raise ApiError(f"Module {key} does not exist")
    wanted = [n for n in names.split(",") if n]
    missing = [n for n in wanted if n not in module.fields]
    if len(missing) == 1:
        raise ApiError(f"The following field in {module.object_name} module is not found: "
                       f"{missing[0]}")
    if missing:
        raise ApiError(f"The following fields in {module.object_name} module are not found: "
                       f"{', '.join(missing)}")
    return wanted


def _sort(module: ModuleDef, value: Any) -> str:
    if value is None:
        return "id"
    if not isinstance(value, str) or not _SORT.match(value):
        raise ApiError(f'The option "sort" with value "{value}" is invalid.')
    descending = value.startswith("-")
    name = value.lstrip("-")
    if name not in module.fields:
        raise ApiError(f"Sort field {name} in {module.object_name} module is not found")
    if not field_is_stored(name, module.fields[name]) or name == "id":
        return "id DESC" if descending and name == "id" else "id"
    direction = "DESC" if descending else "ASC"
    return f'"{name}" {direction}, id {direction}'


def _filter(module: ModuleDef, value: Any, query: ListQuery) -> None:
    if value is None:
        return
    if not isinstance(value, dict):
        raise ApiError('The option "filter" with value array is invalid.')
    combinator = "AND"
    conditions: list[str] = []
    params: list[Any] = []
    for name, ops in value.items():
        if name == "operator":
            if not isinstance(ops, str) or ops.lower() not in _OPERATORS:
                raise ApiError(f"Filter operator {ops} is invalid")
            combinator = _OPERATORS[ops.lower()] if ops.lower() in {"and", "or"} else "AND"
            continue
        if name not in module.fields:
            raise ApiError(f"Filter field {name} in {module.object_name} module is not found")
        if not isinstance(ops, dict):
            raise ApiError(f"Filter field {name} must be an array")
        meta = module.fields[name]
        for op, raw in ops.items():
            if op.lower() not in _OPERATORS:
                raise ApiError(f"Filter operator {op} is invalid")
            if name == "deleted":
                if op.lower() == "eq":
                    query.deleted_rows = str(raw).strip() == "1"
                continue
            if not field_is_stored(name, meta):
                raise ApiError(DB_FAILURE, in_params=False, trailing=DB_FAILURE)
            text = raw if isinstance(raw, str) else ""
            collate = " COLLATE NOCASE" if value_kind(meta) == "text" else ""
            conditions.append(f'"{name}"{collate} {_OPERATORS[op.lower()]} ?')
            params.append(coerce_filter_value(text, meta))
            if name in {"email1", "email2"}:
                query.email_path = True
    deleted = "deleted = 1" if query.deleted_rows else "deleted = 0"
    if conditions:
        query.where = f"({f' {combinator} '.join(conditions)}) AND {deleted}"
    else:
        query.where = deleted
    query.params = params


def parse_list_query(schema: Schema, module: ModuleDef, params: dict[str, Any],
                     *, route_options: list[str]) -> ListQuery:
    """Validate a list request's parameters in SuiteCRM's order."""
    check_options(params, route_options)
    query = ListQuery()
    query.fields = parse_fields(schema, params.get("fields")) if "fields" in route_options else None
    query.size, query.number = parse_page(params.get("page"))
    query.order_by = _sort(module, params.get("sort"))
    _filter(module, params.get("filter"), query)
    return query
