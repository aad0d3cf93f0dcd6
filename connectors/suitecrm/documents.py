"""Reading SuiteCRM's response documents: lenient JSON, server details and errors.

Error bodies come in three shapes: V8's ``{"errors": {"status", "title", "detail"}}`` (one
object, not JSON:API's array), OAuth's ``{"error", "error_description", "hint"?, "message"}``
and Slim's ``{"message": ...}``. A database failure appends a plain-text copy of the message
after the JSON document (``filter_18``), so only the first JSON value is read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

import httpx

from connectors.errors import ConnectorError, FatalAPIError, MalformedResponseError, RecordError
from connectors.http import RETRIABLE_STATUSES, error_for_status, redact_text
from connectors.suitecrm.records import FieldMeta, Record
from connectors.suitecrm.values import record_attributes

__all__ = [
    "SYSTEM",
    "as_record_error",
    "error_for_response",
    "malformed",
    "read_json",
    "records_from",
    "server_detail",
]

SYSTEM = "suitecrm"
_ECHOED_PASSWORD = re.compile(r"(?i)(password is invalid:?\s*)\S.*")
_MAX_DETAIL = 300
_NOT_V8 = ("the server did not answer like the SuiteCRM V8 API "
           "(a maintenance page, a proxy or a PHP error?)")


def read_json(response: httpx.Response) -> Any:
    """The response's first JSON value, ignoring text appended after it; None if there is none."""
    text = response.text.strip()
    if not text:
        return None
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        pass
    try:
        value, _end = json.JSONDecoder().raw_decode(text)
    except (ValueError, RecursionError):
        return None
    return value


def malformed(what: str, *, url: object = None, module: str | None = None,
              record_id: str | None = None) -> MalformedResponseError:
    """The error for a successful answer that is not the document expected (``what`` it lacks)."""
    return MalformedResponseError(
        what, system=SYSTEM, url=str(url) if url is not None else None, module=module,
        record_id=record_id, hint=_NOT_V8,
    )


def server_detail(body: Any) -> str | None:
    """The server's own message from any of SuiteCRM's error shapes."""
    if not isinstance(body, Mapping):
        return None
    errors = body.get("errors")
    if isinstance(errors, Mapping):
        errors = [errors]
    if isinstance(errors, list):
        details = [str(e.get("detail") or e.get("title") or "") for e in errors
                   if isinstance(e, Mapping)]
        return "; ".join(d for d in details if d) or None
    if "error" in body:
        text = str(body.get("error_description") or body.get("message") or body["error"])
        if body.get("hint"):
            text += f" ({body['hint']})"
        return f"{body['error']}: {text}"
    message = body.get("message")
    return str(message) if message else None


def _hint(status: int, detail: str, *, auth_request: bool) -> str | None:
    lowered = detail.lower()
    if status in RETRIABLE_STATUSES:
        return None
    if auth_request:
        if "password" in lowered or "user" in lowered:
            return "check suitecrm.username and suitecrm.password (password grant)"
        return ("check suitecrm.client_id, client_secret and grant_type: each SuiteCRM OAuth2 "
                "client allows one grant, and client_credentials needs a confidential client")
    if status == 401:
        return "the token was refused twice; check the OAuth2 client in SuiteCRM's admin"
    if "not found" in lowered or "does not exist" in lowered:
        return "SuiteCRM answers 'not found' with 400: check the module name and the id"
    if "database failure" in lowered:
        return "filter and sort only on real columns (not relate or non-db fields)"
    if status == 404:
        return "no such API route: check suitecrm.base_url and suitecrm.api_layout"
    return None


def error_for_response(
    response: httpx.Response,
    *,
    secrets: Iterable[str | None] = (),
    module: str | None = None,
    record_id: str | None = None,
    auth_request: bool = False,
) -> ConnectorError:
    """The connector error for an unsuccessful response, with the server's detail redacted.

    Token-endpoint bodies can repeat the submitted password (``auth_07``): they are scrubbed
    of every configured secret and of the echoed password before they reach the error.
    """
    detail = server_detail(read_json(response)) or response.reason_phrase or None
    if detail is not None:
        detail = _ECHOED_PASSWORD.sub(r"\1***", redact_text(detail, secrets))[:_MAX_DETAIL]
    return error_for_status(
        system=SYSTEM,
        status=response.status_code,
        url=response.request.url,
        detail=detail,
        retry_after=response.headers.get("Retry-After"),
        hint=_hint(response.status_code, detail or "", auth_request=auth_request),
        module=module,
        record_id=record_id,
        auth_request=auth_request,
    )


def as_record_error(error: FatalAPIError, *, module: str, record_id: str | None) -> RecordError:
    """The rejection of one record, for batch results that go on after it."""
    return RecordError(
        error.reason, system=error.system, status=error.status, url=error.url,
        detail=error.detail, hint=error.hint, module=module, record_id=record_id,
    )


def records_from(
    data: Any, module: str, fields: Mapping[str, FieldMeta], *, url: str | None = None
) -> list[Record]:
    """Records from a document's ``data`` (one resource or a list of them)."""
    items = [data] if isinstance(data, Mapping) else data
    if not isinstance(items, list):
        raise malformed("response has no data list", url=url, module=module)
    records = []
    for item in items:
        if not isinstance(item, Mapping) or not item.get("id"):
            raise malformed("response holds a resource without id", url=url, module=module)
        record_id = str(item["id"])
        attributes = item.get("attributes") or {}
        if not isinstance(attributes, Mapping):
            raise malformed("a resource's attributes are not an object", url=url,
                            module=module, record_id=record_id)
        where = f"{module} {record_id}"
        records.append(Record(module, record_id, record_attributes(attributes, fields,
                                                                     where=where)))
    return records
