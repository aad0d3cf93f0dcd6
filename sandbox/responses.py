"""Response bodies, content types and headers as SuiteCRM's V8 API (Slim 3) sends them."""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import Response

__all__ = [
    "CORS_HEADERS",
    "ApiError",
    "json_text",
    "not_allowed",
    "not_found",
    "oauth_response",
    "v8_response",
]

CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "POST, GET, OPTIONS, PUT, DELETE",
    "Access-Control-Allow-Headers": (
        "Content-Type, Access-Control-Allow-Headers, Authorization, X-Requested-With"
    ),
}
_VND = "application/vnd.api+json"
_JSON = "application/json"


#: Lists longer than this are sent as compact JSON: Python's pretty printer is several times
#: slower than its C encoder, and bulk reads are what the sandbox must do fast.
PRETTY_MAX_ITEMS = 100


def json_text(body: Any) -> str:
    """Pretty JSON with raw slashes and unicode, like PHP's JSON_PRETTY_PRINT flags."""
    data = body.get("data") if isinstance(body, dict) else None
    if isinstance(data, list) and len(data) > PRETTY_MAX_ITEMS:
        return json.dumps(body, ensure_ascii=False)
    return json.dumps(body, indent=4, ensure_ascii=False)


def v8_response(body: Any, status: int = 200, *, media_type: str = _VND,
                trailing: str = "") -> Response:
    """A V8 document; successes also carry the stray ``Accept`` header SuiteCRM adds."""
    headers = dict(CORS_HEADERS)
    if media_type == _VND:
        headers["Accept"] = _VND
    return Response(json_text(body) + trailing, status_code=status, headers=headers,
                    media_type=media_type)


class ApiError(Exception):
    """A V8 error: ``{"errors": {"status", "title": null, "detail"}}`` (always 400 in V8).

    ``in_params`` errors (raised while parameters are resolved) come as application/json,
    controller errors as application/vnd.api+json. ``trailing`` is text PHP printed after the
    JSON (database failures).
    """

    def __init__(self, detail: str, *, in_params: bool = True, status: int = 400,
                 trailing: str = "") -> None:
        super().__init__(detail)
        self.detail = detail
        self.in_params = in_params
        self.status = status
        self.trailing = trailing

    def response(self) -> Response:
        """The HTTP response for this error."""
        body = {"errors": {"status": self.status, "title": None, "detail": self.detail}}
        return v8_response(body, self.status, media_type=_JSON if self.in_params else _VND,
                           trailing=self.trailing)


def oauth_response(status: int, error: str, description: str,
                   hint: str | None = None) -> Response:
    """league/oauth2-server's error body: error, error_description, hint?, message."""
    body: dict[str, Any] = {"error": error, "error_description": description}
    if hint is not None:
        body["hint"] = hint
    body["message"] = description
    return Response(json.dumps(body), status_code=status, headers=dict(CORS_HEADERS),
                    media_type=_JSON)


def not_found() -> Response:
    """Slim's 404 for a URL that matches no route."""
    return Response(json_text({"message": "Not found"}), status_code=404,
                    headers=dict(CORS_HEADERS), media_type=_JSON)


def not_allowed(methods: list[str]) -> Response:
    """Slim's 405 with the methods the route allows."""
    body = {"message": f"Method not allowed. Must be one of: {', '.join(methods)}"}
    headers = {**CORS_HEADERS, "Allow": ", ".join(methods)}
    return Response(json_text(body), status_code=405, headers=headers, media_type=_JSON)
