"""A minimal Mailchimp Marketing API 3.0 over the sandbox's contacts and campaign activity.

Routes (below ``/mailchimp/3.0``): ``GET /lists/{list_id}/members``, ``GET /campaigns``,
``GET /reports/{campaign_id}/email-activity``; ``count``/``offset`` paging, HTTP Basic auth
with any user name and the API key as password.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from sandbox.state import SandboxState

__all__ = ["mailchimp"]


def _iso(stamp: str | None) -> str:
    return f"{stamp[:10]}T{stamp[11:19]}+00:00" if stamp else ""


def _db(iso: str | None) -> str | None:
    if not iso:
        return None
    return iso.replace("T", " ")[:19]


def _problem(status: int, title: str, detail: str) -> Response:
    body = {"type": "https://mailchimp.com/developer/marketing/docs/errors/", "title": title,
            "status": status, "detail": detail, "instance": ""}
    return Response(json.dumps(body), status_code=status, media_type="application/problem+json")


def _authorised(request: Request, state: SandboxState) -> bool:
    key = state.settings.mailchimp_api_key.get_secret_value()
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value).decode()
        except ValueError:
            return False
        return decoded.partition(":")[2] == key
    return scheme.lower() in {"apikey", "bearer"} and value == key


def _page(request: Request) -> tuple[int, int]:
    try:
        count = min(max(int(request.query_params.get("count", "10")), 1), 1000)
        offset = max(int(request.query_params.get("offset", "0")), 0)
    except ValueError:
        count, offset = 10, 0
    return count, offset


def _members(request: Request, state: SandboxState, list_id: str) -> Response:
    count, offset = _page(request)
    since = _db(request.query_params.get("since_last_changed"))
    where = "deleted = 0 AND email1 IS NOT NULL" + (" AND date_entered >= ?" if since else "")
    params: list[Any] = [since] if since else []
    total = state.store.query(f"SELECT COUNT(*) FROM m_contacts WHERE {where}", params)[0][0]
    rows = state.store.query(
        "SELECT id, email1, first_name, last_name, email_opt_out, date_entered FROM m_contacts "
        f"WHERE {where} ORDER BY date_entered, id LIMIT ? OFFSET ?", [*params, count, offset])
    members = [
        {"id": hashlib.md5(str(email).lower().encode()).hexdigest(), "email_address": email,
         "unique_email_id": str(contact_id)[:10], "contact_id": contact_id,
         "status": "unsubscribed" if opt_out else "subscribed",
         "merge_fields": {"FNAME": first or "", "LNAME": last or ""},
         "timestamp_opt": _iso(entered), "last_changed": _iso(entered), "list_id": list_id}
        for contact_id, email, first, last, opt_out, entered in rows
    ]
    return Response(json.dumps({"members": members, "list_id": list_id, "total_items": total}),
                    media_type="application/json")


def _campaigns(request: Request, state: SandboxState) -> Response:
    count, offset = _page(request)
    rows = state.store.query(
        "SELECT id, name, sent_at FROM sandbox_campaigns ORDER BY sent_at LIMIT ? OFFSET ?",
        (count, offset))
    total = state.store.query("SELECT COUNT(*) FROM sandbox_campaigns")[0][0]
    campaigns = [
        {"id": cid, "type": "regular", "status": "sent", "send_time": _iso(sent),
         "settings": {"title": name, "subject_line": name},
         "recipients": {"list_id": state.settings.mailchimp_list_id}}
        for cid, name, sent in rows
    ]
    return Response(json.dumps({"campaigns": campaigns, "total_items": total}),
                    media_type="application/json")


def _activity(request: Request, state: SandboxState, campaign_id: str) -> Response:
    if not state.store.query("SELECT 1 FROM sandbox_campaigns WHERE id = ?", (campaign_id,)):
        return _problem(404, "Resource Not Found", "The requested resource could not be found.")
    count, offset = _page(request)
    since = _db(request.query_params.get("since"))
    extra = " AND occurred_at >= ?" if since else ""
    params: list[Any] = [campaign_id, *([since] if since else [])]
    total = state.store.query(
        "SELECT COUNT(DISTINCT email) FROM sandbox_campaign_activity WHERE campaign_id = ?"
        + extra, params)[0][0]
    emails = [str(r[0]) for r in state.store.query(
        "SELECT DISTINCT email FROM sandbox_campaign_activity WHERE campaign_id = ?" + extra
        + " ORDER BY email LIMIT ? OFFSET ?", [*params, count, offset])]
    grouped: dict[str, list[dict[str, Any]]] = {e: [] for e in emails}
    if emails:
        marks = ", ".join("?" for _ in emails)
        for email, action, at, url in state.store.query(
            "SELECT email, action, occurred_at, url FROM sandbox_campaign_activity "
            f"WHERE campaign_id = ? AND email IN ({marks}){extra} ORDER BY occurred_at",
            [campaign_id, *emails, *([since] if since else [])],
        ):
            item = {"action": action, "timestamp": _iso(at), "ip": "198.51.100.7"}
            if url:
                item["url"] = url
            grouped[email].append(item)
    body = {
        "emails": [
            {"campaign_id": campaign_id, "list_id": state.settings.mailchimp_list_id,
             "list_is_active": True,
             "email_id": hashlib.md5(e.lower().encode()).hexdigest(), "email_address": e,
             "activity": grouped[e]}
            for e in emails
        ],
        "campaign_id": campaign_id, "total_items": total,
    }
    return Response(json.dumps(body), media_type="application/json")


async def mailchimp(request: Request, state: SandboxState, sub_path: str) -> Response:
    """Answer a request below ``/mailchimp/3.0``."""
    if not _authorised(request, state):
        return _problem(401, "API Key Invalid", "Your API key may be invalid, or you've "
                        "attempted to access the wrong datacenter.")
    parts = [p for p in sub_path.split("/") if p]
    routes: dict[tuple[str, ...], Callable[[], Response]] = {}
    if len(parts) == 3 and parts[0] == "lists" and parts[2] == "members":
        if parts[1] != state.settings.mailchimp_list_id:
            return _problem(404, "Resource Not Found",
                            "The requested resource could not be found.")
        routes[tuple(parts)] = lambda: _members(request, state, parts[1])
    if parts == ["campaigns"]:
        routes[tuple(parts)] = lambda: _campaigns(request, state)
    if len(parts) == 3 and parts[0] == "reports" and parts[2] == "email-activity":
        routes[tuple(parts)] = lambda: _activity(request, state, parts[1])
    handler = routes.get(tuple(parts))
    if handler is None or request.method != "GET":
        return _problem(404, "Resource Not Found", "The requested resource could not be found.")
    return handler()
