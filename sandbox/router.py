"""Slim-like routing of the V8 API: prefixes, 404/405 bodies, bearer check, body parsing."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from starlette.requests import Request
from starlette.responses import Response

from sandbox import api_meta, api_records, api_relationships, api_search_defs
from sandbox.query_params import parse_query
from sandbox.responses import ApiError, not_allowed, not_found, oauth_response
from sandbox.state import RequestContext, SandboxState
from sandbox.tokens import OAuthFailure

__all__ = ["api_prefixes", "dispatch"]

Handler = Callable[[RequestContext], Awaitable[Response]]


@dataclass(frozen=True)
class _Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler


def _route(method: str, template: str, handler: Handler) -> _Route:
    regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template)
    return _Route(method, re.compile(f"^{regex}$"), handler)


_ROUTES = [
    _route("POST", "/V8/logout", api_meta.logout),
    _route("GET", "/V8/meta/modules", api_meta.module_list),
    _route("GET", "/V8/meta/fields/{moduleName}", api_meta.field_list),
    _route("GET", "/V8/meta/swagger.json", api_meta.swagger),
    _route("GET", "/V8/search-defs/module/{moduleName}", api_search_defs.search_defs),
    _route("GET", "/V8/current-user", api_meta.current_user),
    _route("GET", "/V8/user-preferences/{id}", api_meta.user_preferences),
    _route("POST", "/V8/module", api_records.create_record),
    _route("PATCH", "/V8/module", api_records.update_record),
    _route("GET", "/V8/module/{moduleName}", api_records.list_records),
    _route("GET", "/V8/module/{moduleName}/{id}", api_records.get_record),
    _route("DELETE", "/V8/module/{moduleName}/{id}", api_records.delete_record),
    _route("POST", "/V8/module/{moduleName}/{id}/relationships",
           api_relationships.add_relationship),
    _route("GET", "/V8/module/{moduleName}/{id}/relationships/{linkFieldName}",
           api_relationships.list_relationship),
    _route("POST", "/V8/module/{moduleName}/{id}/relationships/{linkFieldName}",
           api_relationships.add_relationship),
    _route("DELETE",
           "/V8/module/{moduleName}/{id}/relationships/{linkFieldName}/{relatedBeanId}",
           api_relationships.delete_relationship),
]
_JSON_TYPES = ("application/json", "application/vnd.api+json")


def api_prefixes(layout: str) -> list[str]:
    """Where the API answers: /Api (SuiteCRM 7), also /legacy/Api for layout 8."""
    prefixes = ["/Api/index.php", "/Api"]
    if layout == "8":
        prefixes = ["/legacy/Api/index.php", "/legacy/Api", *prefixes]
    return prefixes


async def _json_body(request: Request) -> Any:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    raw = await request.body()
    if content_type not in _JSON_TYPES or not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


async def dispatch(request: Request, state: SandboxState, sub_path: str) -> Response:
    """Answer one request below an API prefix (``sub_path`` starts with '/')."""
    method = request.method.upper()
    if sub_path == "/access_token":
        if method == "OPTIONS":
            return Response("Allowed methods: POST", media_type="text/plain")
        if method != "POST":
            return not_allowed(["POST"])
        return await api_meta.token_endpoint(request, state)
    allowed: list[str] = []
    for route in _ROUTES:
        match = route.pattern.match(sub_path)
        if match is None:
            continue
        if route.method != method:
            allowed.append(route.method)
            continue
        return await _run(route, match, request, state, sub_path)
    if allowed and method == "OPTIONS":
        return Response(f"Allowed methods: {', '.join(allowed)}", media_type="text/plain")
    if allowed:
        return not_allowed(allowed)
    return not_found()


async def _run(route: _Route, match: re.Match[str], request: Request, state: SandboxState,
               sub_path: str) -> Response:
    try:
        token_id, user_id = state.tokens.authenticate(request.headers.get("authorization"))
    except OAuthFailure as failure:
        return oauth_response(failure.status, failure.error, failure.description, failure.hint)
    ctx = RequestContext(
        request=request,
        state=state,
        path_params={k: unquote(v) for k, v in match.groupdict().items()},
        query=parse_query(request.url.query),
        path=sub_path.lstrip("/"),
        body=await _json_body(request),
        token_id=token_id,
        user_id=user_id,
    )
    try:
        return await route.handler(ctx)
    except ApiError as error:
        return error.response()
