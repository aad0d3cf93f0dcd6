"""V8 module routes: list, get one, create, update (PATCH /V8/module) and delete."""

from __future__ import annotations

import math
import re
from typing import Any

from starlette.responses import Response

from sandbox.list_query import check_options, parse_fields, parse_list_query
from sandbox.query_params import build_query
from sandbox.responses import ApiError, v8_response
from sandbox.schema import ModuleDef, field_is_stored
from sandbox.state import RequestContext, SandboxState, new_guid, now_db
from sandbox.values import coerce_input, stored_defaults

__all__ = ["create_record", "delete_record", "get_record", "list_records", "update_record"]

_ID = re.compile(r"^(\d+|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                 r"[0-9a-fA-F]{12})$")
_LIST_OPTIONS = ["fields", "filter", "moduleName", "page", "sort"]
_DEFAULT_ROWS = 20
_EMPTY = {"meta": {"message": "Request was successful, but there is no result"}, "data": []}


def module_or_error(state: SandboxState, name: str) -> ModuleDef:
    """The module named in a URL or body, or 400 ``Module X does not exist``."""
    module = state.schema.resolve(name)
    if module is None:
        raise ApiError(f"Module {name} does not exist")
    return module


def check_id(value: Any) -> str:
    """A record id in route or body: digits or a UUID, or 400."""
    text = str(value)
    if not _ID.match(text):
        raise ApiError(f'The option "id" with value "{text}" is invalid.')
    return text


def record_or_error(state: SandboxState, module: ModuleDef, record_id: str,
                    *, in_params: bool = False) -> None:
    """Nothing for a non-deleted row, else 400 ``<Module> module with id X is not found``."""
    if not state.store.exists(module, record_id, include_deleted=False):
        raise ApiError(f"{module.name} module with id {record_id} is not found",
                       in_params=in_params)


def pagination_links(path: str, query: dict[str, Any], number: int,
                     total_pages: int) -> dict[str, str | None]:
    """first/prev/next/last as SuiteCRM builds them: relative, unencoded, null when n/a."""

    def link(page_number: int) -> str:
        params = {k: (dict(v) if isinstance(v, dict) else v) for k, v in query.items()}
        page = params.setdefault("page", {})
        page["number"] = str(page_number)
        return f"{path}?{build_query(params)}"

    return {
        "first": link(1) if number > 1 else None,
        "prev": link(number - 1) if number > 1 else None,
        "next": link(number + 1) if number + 1 <= total_pages else None,
        "last": link(total_pages) if number + 1 <= total_pages else None,
    }


def _render_rows(ctx: RequestContext, module: ModuleDef, ids: list[str],
                 fields: list[str] | None, base: str) -> list[dict[str, Any]]:
    renderer = ctx.state.renderer
    names = renderer.attribute_names(module, fields)
    rows = ctx.state.store.fetch_many(module, ids, columns=renderer.columns_needed(module, names))
    return renderer.resources(module, rows, fields, base)


async def list_records(ctx: RequestContext) -> Response:
    """GET /V8/module/{moduleName}."""
    state = ctx.state
    params = {"moduleName": ctx.path_params["moduleName"], **ctx.query}
    module = module_or_error(state, params["moduleName"])
    query = parse_list_query(state.schema, module, params, route_options=_LIST_OPTIONS)
    table = f'"{module.table}"'
    limit = query.size if query.size is not None else _DEFAULT_ROWS
    if query.email_path:
        limit = min(limit, _DEFAULT_ROWS)
    offset = max((query.number or 1) - 1, 0) * (query.size or 0)
    rows = state.store.query(
        f"SELECT id FROM {table} WHERE {query.where} ORDER BY {query.order_by} "
        f"LIMIT ? OFFSET ?", [*query.params, limit, offset])
    ids = [str(r[0]) for r in rows]
    if query.deleted_rows and ids:
        raise ApiError(f"{module.name} module with id {ids[0]} is not found", in_params=False)
    if not ids:
        return v8_response(_EMPTY)
    data = _render_rows(ctx, module, ids, query.fields, ctx.path)
    if query.size is None:
        return v8_response({"data": data})
    count = state.store.query(f"SELECT COUNT(*) FROM {table} WHERE {query.where}", query.params)
    total_pages = math.ceil(int(count[0][0]) / query.size)
    meta = {"total-pages": total_pages, "records-on-this-page": len(data)}
    links = pagination_links(ctx.path, ctx.query, query.number or 0, total_pages)
    return v8_response({"meta": meta, "data": data, "links": links})


async def get_record(ctx: RequestContext) -> Response:
    """GET /V8/module/{moduleName}/{id}."""
    state = ctx.state
    params = {**ctx.path_params, **ctx.query}
    check_options(params, ["fields", "id", "moduleName"])
    module = state.schema.resolve(params["moduleName"])
    if module is None:
        raise ApiError(f"Module with name {params['moduleName']} is not found", in_params=False)
    record_id = check_id(params["id"])
    fields = parse_fields(state.schema, params.get("fields"))
    record_or_error(state, module, record_id)
    base = ctx.path.rsplit("/", 1)[0]
    return v8_response({"data": _render_rows(ctx, module, [record_id], fields, base)[0]})


def _body_data(ctx: RequestContext, *, need_id: bool) -> dict[str, Any]:
    body = ctx.body
    if not isinstance(body, dict) or "data" not in body:
        raise ApiError('The required option "data" is missing.')
    check_options(body, ["data"])
    data = body["data"]
    if not isinstance(data, dict) or any(v in ("", {}, []) for v in data.values()):
        raise ApiError('The option "data" with value array is invalid.')
    check_options(data, ["attributes", "id", "type"])
    if "type" not in data:
        raise ApiError('The required option "type" is missing.')
    if need_id and "id" not in data:
        raise ApiError('The required option "id" is missing.')
    return data


def _attributes(module: ModuleDef, data: dict[str, Any]) -> dict[str, Any]:
    attributes = data.get("attributes") or {}
    if not isinstance(attributes, dict):
        raise ApiError('The option "attributes" with value array is invalid.')
    for name, value in attributes.items():
        if name not in module.fields:
            raise ApiError(f"Property {name} in {module.object_name} module is invalid")
        if isinstance(value, dict | list):
            raise ApiError(f'Expected argument of type "string", "{type(value).__name__}" given')
    return attributes


def _apply(ctx: RequestContext, module: ModuleDef, record_id: str,
           attributes: dict[str, Any], *, creating: bool) -> None:
    """Store attributes like SugarBean::save: null leaves alone, "" clears, relates link."""
    state = ctx.state
    values: dict[str, Any] = {}
    if creating:
        values.update(stored_defaults(module.fields))
        values.update(id=record_id, deleted=0, date_entered=now_db(), created_by=ctx.user_id)
    relates: dict[str, Any] = {}
    for name, value in attributes.items():
        if value is None or name == "id":
            continue
        meta = module.fields[name]
        if name in module.relate_fields and module.relate_fields[name][1] == "id":
            relates[name] = value
        elif field_is_stored(name, meta):
            values[name] = coerce_input(value, meta)
    stamp = values.get("date_modified") if attributes.get("date_modified") is not None else None
    values["date_modified"] = stamp or now_db()
    if attributes.get("modified_user_id") is None:
        values["modified_user_id"] = ctx.user_id
    if not creating and attributes.get("date_entered") is None:
        values.pop("date_entered", None)
    with state.store.transaction():
        if creating:
            state.store.insert(module, values)
        else:
            state.store.update(module, record_id, values)
        for name, related_id in relates.items():
            _relink(ctx, module, record_id, module.relate_fields[name][0], str(related_id))


def _relink(ctx: RequestContext, module: ModuleDef, record_id: str, link: str,
            related_id: str) -> None:
    store = ctx.state.store
    related = module.link_module(link)
    relationship = module.fields[link].get("relationship")
    if related is None or relationship is None:
        return
    for other in store.related_ids(relationship, module.name, record_id, related):
        store.unlink(relationship, module.name, record_id, other)
    if related_id:
        store.link(relationship, module.name, record_id, related, related_id, now_db())


def _saved(ctx: RequestContext, module: ModuleDef, record_id: str) -> Response:
    data = _render_rows(ctx, module, [record_id], None, ctx.path)[0]
    return v8_response({"data": data}, 201)


async def create_record(ctx: RequestContext) -> Response:
    """POST /V8/module: 201 and the full record."""
    state = ctx.state
    data = _body_data(ctx, need_id=False)
    module = module_or_error(state, str(data["type"]))
    attributes = _attributes(module, data)
    record_id = check_id(data["id"]) if "id" in data else new_guid()
    if state.store.exists(module, record_id, include_deleted=True):
        raise ApiError(f"Bean {module.name} with id {record_id} is already exist",
                       in_params=False)
    _apply(ctx, module, record_id, attributes, creating=True)
    return _saved(ctx, module, record_id)


async def update_record(ctx: RequestContext) -> Response:
    """PATCH /V8/module: 201 (not 200) and the full record."""
    state = ctx.state
    data = _body_data(ctx, need_id=True)
    module = module_or_error(state, str(data["type"]))
    record_id = check_id(data["id"])
    attributes = _attributes(module, data)
    record_or_error(state, module, record_id)
    _apply(ctx, module, record_id, attributes, creating=False)
    return _saved(ctx, module, record_id)


async def delete_record(ctx: RequestContext) -> Response:
    """DELETE /V8/module/{moduleName}/{id}: a soft delete."""
    state = ctx.state
    module = state.schema.resolve(ctx.path_params["moduleName"])
    if module is None:
        raise ApiError(f"Module with name {ctx.path_params['moduleName']} is not found",
                       in_params=False)
    record_id = check_id(ctx.path_params["id"])
    record_or_error(state, module, record_id)
    state.store.update(module, record_id, {"deleted": 1, "date_modified": now_db()})
    return v8_response({"meta": {"message": f"Record with id {record_id} is deleted"},
                        "data": []})
