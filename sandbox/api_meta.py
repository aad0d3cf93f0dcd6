"""V8 meta and user routes, logout, and the OAuth2 token endpoint."""

from __future__ import annotations

import base64
import copy
import json
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import Response

from sandbox.responses import CORS_HEADERS, ApiError, oauth_response, v8_response
from sandbox.schema import load_json
from sandbox.state import RequestContext, SandboxState
from sandbox.tokens import OAuthFailure

__all__ = [
    "current_user",
    "field_list",
    "logout",
    "module_list",
    "swagger",
    "token_endpoint",
    "user_preferences",
]


async def module_list(ctx: RequestContext) -> Response:
    """GET /V8/meta/modules."""
    return v8_response({"data": {"type": "modules", "attributes": ctx.state.schema.listing}})


async def field_list(ctx: RequestContext) -> Response:
    """GET /V8/meta/fields/{moduleName}: pruned vardefs, custom ``_c`` fields included."""
    module = ctx.state.schema.modules.get(ctx.path_params["moduleName"])
    if module is None:
        raise ApiError("[SuiteCRM] [Not Allowed] The API user does not have access to this module.",
                       in_params=False)
    return v8_response({"data": {"type": "fields", "attributes": module.fields}})


async def swagger(ctx: RequestContext) -> Response:
    """GET /V8/meta/swagger.json: the bundled document, as it is."""
    return v8_response(load_json("swagger.json"))


def _user_document(state: SandboxState, user_id: str) -> dict[str, Any]:
    user = state.tokens.user_by_id(user_id)
    key = "admin" if user is None or user.id == "1" else "sync.user"
    document: dict[str, Any] = copy.deepcopy(load_json("users.json")[key])
    if user is not None:
        document["id"] = user.id
        document["attributes"]["id"] = user.id
        document["attributes"]["user_name"] = user.user_name
    return document


async def current_user(ctx: RequestContext) -> Response:
    """GET /V8/current-user: the token's user (a client's assigned user for client_credentials)."""
    return v8_response({"data": _user_document(ctx.state, ctx.user_id)})


async def user_preferences(ctx: RequestContext) -> Response:
    """GET /V8/user-preferences/{id}."""
    attributes = copy.deepcopy(load_json("user_preferences.json"))
    return v8_response({"data": {"type": "UserPreference", "id": ctx.path_params["id"],
                                 "attributes": attributes}})


async def logout(ctx: RequestContext) -> Response:
    """POST /V8/logout: revoke the current access token."""
    ctx.state.tokens.revoke(ctx.token_id)
    return v8_response({"meta": {"message": "You have been successfully logged out"}, "data": []})


def _basic_credentials(request: Request) -> dict[str, str]:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return {}
    try:
        client_id, _, secret = base64.b64decode(value).decode().partition(":")
    except ValueError:
        return {}
    return {"client_id": client_id, "client_secret": secret}


async def _token_params(request: Request) -> dict[str, Any]:
    """Token request fields from the body; client credentials may come as HTTP Basic."""
    raw = await request.body()
    content_type = request.headers.get("content-type", "")
    params: dict[str, Any] = {}
    if "json" in content_type:
        try:
            parsed = json.loads(raw or b"null")
        except ValueError:
            parsed = None
        params = parsed if isinstance(parsed, dict) else {}
    else:
        params = dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
    return {**_basic_credentials(request), **{k: v for k, v in params.items() if v != ""}}


async def token_endpoint(request: Request, state: SandboxState) -> Response:
    """POST /access_token: client_credentials, password and refresh_token grants."""
    params = await _token_params(request)
    try:
        body = state.tokens.grant(params, ttl_s=state.settings.faults.token_ttl_s)
    except OAuthFailure as failure:
        return oauth_response(failure.status, failure.error, failure.description, failure.hint)
    headers = {**CORS_HEADERS, "pragma": "no-cache", "cache-control": "no-store"}
    return Response(json.dumps(body), headers=headers,
                    media_type="application/json; charset=UTF-8")
