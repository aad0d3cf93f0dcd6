"""V8 relationship routes: list related records, relate (by type or link), unrelate."""

from __future__ import annotations

import math
from typing import Any

from starlette.responses import Response

from sandbox.api_records import (
    check_id,
    module_or_error,
    pagination_links,
    record_or_error,
)
from sandbox.list_query import check_options, parse_list_query
from sandbox.responses import ApiError, v8_response
from sandbox.schema import ModuleDef
from sandbox.state import RequestContext, now_db

__all__ = ["add_relationship", "delete_relationship", "list_relationship"]

_OPTIONS = ["filter", "id", "linkFieldName", "moduleName", "page", "sort"]


def _source(ctx: RequestContext) -> tuple[ModuleDef, str]:
    module = ctx.state.schema.resolve(ctx.path_params["moduleName"])
    if module is None:
        raise ApiError(f"Module with name {ctx.path_params['moduleName']} is not found")
    return module, check_id(ctx.path_params["id"])


def _link(module: ModuleDef, link: str) -> str:
    if not module.is_link(link):
        raise ApiError(f"Cannot load relationship {link} for {module.object_name} module")
    return link


def _relationship(module: ModuleDef, link: str) -> tuple[str, str] | None:
    related = module.link_module(link)
    relationship = module.fields[link].get("relationship")
    if related is None or relationship is None:
        return None
    return str(relationship), related


async def list_relationship(ctx: RequestContext) -> Response:
    """GET /V8/module/{m}/{id}/relationships/{link}: all related rows unless paged."""
    state = ctx.state
    params = {**ctx.path_params, **ctx.query}
    check_options(params, _OPTIONS)
    module, record_id = _source(ctx)
    link = _link(module, ctx.path_params["linkFieldName"])
    record_or_error(state, module, record_id)
    target = _relationship(module, link)
    empty = {"meta": {"message": f"There is no relationship set in {module.object_name} module "
                               f"with {link} link field"}, "data": []}
    if target is None:
        return v8_response(empty)
    relationship, related_name = target
    related = state.schema.modules[related_name]
    query = parse_list_query(state.schema, related, params, route_options=_OPTIONS)
    ids = state.store.related_ids(relationship, module.name, record_id, related_name)
    if ids:
        placeholders = ", ".join("?" for _ in ids)
        rows = state.store.query(
            f'SELECT id FROM "{related.table}" WHERE id IN ({placeholders}) AND {query.where} '
            f"ORDER BY {query.order_by}", [*ids, *query.params])
        ids = [str(r[0]) for r in rows]
    if not ids:
        return v8_response(empty)
    total = len(ids)
    if query.size is not None:
        start = max((query.number or 1) - 1, 0) * query.size
        ids = ids[start : start + query.size]
        total_pages = math.ceil(total / query.size)
    else:
        total_pages = 1
    if not ids:
        return v8_response(empty)
    renderer = state.renderer
    names = renderer.attribute_names(related, None)
    rows_by_id = state.store.fetch_many(related, ids,
                                        columns=renderer.columns_needed(related, names))
    data = [
        {"type": related.object_name, "id": row["id"], "attributes": attributes,
         "links": {"self": f"V8/module/{related.object_name}/{row['id']}"}}
        for row, attributes in zip(rows_by_id, renderer.attributes(related, rows_by_id, None),
                                   strict=True)
    ]
    body: dict[str, Any] = {"meta": {"total-records": total, "total-pages": total_pages,
                                     "records-on-this-page": len(data)}, "data": data}
    if query.size is not None:
        body["links"] = pagination_links(ctx.path, ctx.query, query.number or 0, total_pages)
    return v8_response(body)


def _related_from_body(ctx: RequestContext) -> tuple[ModuleDef, str]:
    body = ctx.body
    if not isinstance(body, dict) or "data" not in body:
        raise ApiError('The required option "data" is missing.')
    data = body["data"]
    if not isinstance(data, dict):
        raise ApiError('The option "data" with value array is invalid.')
    check_options(data, ["id", "type"])
    for key in ("id", "type"):
        if key not in data:
            raise ApiError(f'The required option "{key}" is missing.')
    related = module_or_error(ctx.state, str(data["type"]))
    related_id = check_id(data["id"])
    if not ctx.state.store.exists(related, related_id, include_deleted=False):
        raise ApiError(f"{related.name} module with id {related_id} is not found")
    return related, related_id


async def add_relationship(ctx: RequestContext) -> Response:
    """POST /V8/module/{m}/{id}/relationships[/{link}]: 201 with a meta message."""
    state = ctx.state
    module, record_id = _source(ctx)
    by_link = "linkFieldName" in ctx.path_params
    link = _link(module, ctx.path_params["linkFieldName"]) if by_link else None
    related, related_id = _related_from_body(ctx)
    record_or_error(state, module, record_id, in_params=True)
    link = link or module.link_for_module(related.name)
    target = _relationship(module, link) if link else None
    if link is None or target is None or target[1] != related.name:
        raise ApiError(f"Cannot create relationship between {module.object_name} and "
                       f"{related.object_name}", in_params=False)
    state.store.link(target[0], module.name, record_id, related.name, related_id, now_db())
    if not by_link:
        message = (f"{related.object_name} with id {related_id} has been added to "
                   f"{module.object_name} with id {record_id}")
        return v8_response({"meta": {"message": message}, "data": []}, 201)
    meta = {
        "message": f"{related.name} record with id {related_id} has been related to "
                   f"{module.name} record with id {record_id} using link {link}",
        "sourceModule": module.name, "sourceModuleLabel": state.label(module.name),
        "sourceId": record_id, "relatedModule": related.name,
        "relatedModuleLabel": state.label(related.name), "relatedId": related_id,
        "relationshipLink": link,
    }
    return v8_response({"meta": meta, "data": []}, 201)


async def delete_relationship(ctx: RequestContext) -> Response:
    """DELETE /V8/module/{m}/{id}/relationships/{link}/{relatedBeanId}."""
    state = ctx.state
    module, record_id = _source(ctx)
    link = _link(module, ctx.path_params["linkFieldName"])
    related_id = check_id(ctx.path_params["relatedBeanId"])
    record_or_error(state, module, record_id)
    target = _relationship(module, link)
    removed = 0
    if target is not None:
        removed = state.store.unlink(target[0], module.name, record_id, related_id)
    if not removed:
        raise ApiError(f"Module with {related_id} id is not related to {module.object_name}",
                       in_params=False)
    related = state.schema.modules[target[1]] if target else module
    message = (f"Relationship has been deleted between {module.object_name} with id {record_id} "
               f"and {related.object_name} with id {related_id}")
    return v8_response({"meta": {"message": message}, "data": []})
