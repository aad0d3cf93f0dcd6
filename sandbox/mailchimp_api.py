"""A Mailchimp Marketing API 3.0 look-alike over the sandbox's contacts and campaign activity.

Routes (below ``/mailchimp/3.0``), HTTP Basic auth with any user name and the API key as
password (or ``Bearer <key>``), ``count``/``offset`` paging (at most 1000):

- ``GET /lists``: the one audience and its member count.
- ``GET /lists/{id}/members``: ``status`` (archived members only when asked for),
  ``since_last_changed`` (after, exclusive), ``before_last_changed``, ``unsubscribed_since``,
  ``sort_field=last_changed`` with ``sort_dir``; ties in id order.
- ``GET /campaigns``, ``GET /reports`` (``since_send_time``; ``opens.last_open``,
  ``clicks.last_click``), ``GET /reports/{id}/email-activity`` (``since``),
  ``GET /reports/{id}/sent-to``.

Errors are ``application/problem+json``; ``faults.rate_403_bare`` answers that share of
requests with a 403 without a body, as Mailchimp throttles. Members live in their own table,
filled from the contacts on first use; ``MailchimpControl`` changes them (and adds campaigns
and activity) for tests and benchmarks.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from sandbox.state import SandboxState
from sandbox.storage import Store

__all__ = ["MailchimpControl", "mailchimp", "member_id"]

_TABLES = """
CREATE TABLE IF NOT EXISTS sandbox_mc_members (
    id TEXT PRIMARY KEY, email TEXT NOT NULL, status TEXT NOT NULL, last_changed TEXT NOT NULL,
    timestamp_opt TEXT, rating INTEGER NOT NULL, tags TEXT NOT NULL, unsubscribed_at TEXT
);
CREATE INDEX IF NOT EXISTS sandbox_mc_members_changed ON sandbox_mc_members (last_changed, id);
CREATE TABLE IF NOT EXISTS sandbox_mc_requests (route TEXT PRIMARY KEY, n INTEGER NOT NULL)
"""
_MEMBER_COLUMNS = "id, email, status, last_changed, timestamp_opt, rating, tags"


def member_id(email: str) -> str:
    """Mailchimp's member id: the MD5 of the lower-cased address."""
    return hashlib.md5(email.lower().encode()).hexdigest()


def _iso(stamp: str | None) -> str:
    return f"{stamp[:10]}T{stamp[11:19]}+00:00" if stamp else ""


def _db(iso: str | None) -> str | None:
    if not iso:
        return None
    try:
        moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def _ensure_members(store: Store) -> None:
    """Create the members table and fill it from the contacts, once."""
    if store.info("mailchimp_members") == "1":
        return
    with store.transaction():
        for statement in _TABLES.split(";"):
            if statement.strip():
                store.execute(statement)
        rows = store.query("SELECT email1, email_opt_out, date_entered FROM m_contacts "
                           "WHERE deleted = 0 AND email1 IS NOT NULL ORDER BY date_entered, id")
        store.executemany(
            "INSERT OR IGNORE INTO sandbox_mc_members VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(member_id(str(email)), str(email), "unsubscribed" if opt_out else "subscribed",
              entered, entered, int(member_id(str(email))[:2], 16) % 5 + 1, "[]",
              entered if opt_out else None)
             for email, opt_out, entered in rows])
        store.set_info("mailchimp_members", "1")


def _count(store: Store, sub_path: str) -> None:
    """Count the request by route (ids left out): what the benchmarks and tests read."""
    _ensure_members(store)
    parts = [p for p in sub_path.split("/") if p]
    route = "/".join(p if n % 2 == 0 else "*" for n, p in enumerate(parts))
    store.execute("INSERT INTO sandbox_mc_requests VALUES (?, 1) ON CONFLICT (route) DO UPDATE "
                  "SET n = n + 1", (route,))


def _problem(status: int, title: str, detail: str) -> Response:
    body = {"type": "https://mailchimp.com/developer/marketing/docs/errors/", "title": title,
            "status": status, "detail": detail, "instance": ""}
    return Response(json.dumps(body), status_code=status, media_type="application/problem+json")


def _not_found() -> Response:
    return _problem(404, "Resource Not Found", "The requested resource could not be found.")


def _json(body: dict[str, Any]) -> Response:
    return Response(json.dumps(body), media_type="application/json")


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


def _lists(state: SandboxState) -> Response:
    _ensure_members(state.store)
    count = state.store.query("SELECT COUNT(*) FROM sandbox_mc_members "
                              "WHERE status = 'subscribed'")[0][0]
    audience = {"id": state.settings.mailchimp_list_id, "name": "Sandbox newsletter",
                "stats": {"member_count": count}}
    return _json({"lists": [audience], "total_items": 1})


def _members(request: Request, state: SandboxState, list_id: str) -> Response:
    _ensure_members(state.store)
    count, offset = _page(request)
    query = request.query_params
    where: list[str] = ["1 = 1"]
    params: list[str] = []
    status = query.get("status")
    if status:
        where.append("status = ?")
        params.append(status)
    else:
        where.append("status != 'archived'")
    for name, clause in (("since_last_changed", "last_changed > ?"),
                         ("before_last_changed", "last_changed < ?"),
                         ("unsubscribed_since", "unsubscribed_at >= ?")):
        if (value := _db(query.get(name))) is not None:
            where.append(clause)
            params.append(value)
    order = "id"
    if query.get("sort_field") == "last_changed":
        direction = "DESC" if query.get("sort_dir", "").upper() == "DESC" else "ASC"
        order = f"last_changed {direction}, id"
    condition = " AND ".join(where)
    total = state.store.query(f"SELECT COUNT(*) FROM sandbox_mc_members WHERE {condition}",
                              params)[0][0]
    rows = state.store.query(f"SELECT {_MEMBER_COLUMNS} FROM sandbox_mc_members WHERE "
                             f"{condition} ORDER BY {order} LIMIT ? OFFSET ?",
                             [*params, count, offset])
    members = [
        {"id": mid, "email_address": email, "unique_email_id": mid[:10], "status": status_,
         "merge_fields": {"FNAME": "", "LNAME": ""}, "timestamp_opt": _iso(opted),
         "last_changed": _iso(changed), "member_rating": rating,
         "tags": [{"id": n, "name": tag} for n, tag in enumerate(json.loads(tags), 1)],
         "list_id": list_id}
        for mid, email, status_, changed, opted, rating, tags in rows
    ]
    return _json({"members": members, "list_id": list_id, "total_items": total})


def _campaigns(request: Request, state: SandboxState) -> Response:
    count, offset = _page(request)
    rows = state.store.query(
        "SELECT id, name, sent_at FROM sandbox_campaigns ORDER BY sent_at, id LIMIT ? OFFSET ?",
        (count, offset))
    total = state.store.query("SELECT COUNT(*) FROM sandbox_campaigns")[0][0]
    campaigns = [
        {"id": cid, "type": "regular", "status": "sent", "send_time": _iso(sent),
         "settings": {"title": name, "subject_line": name},
         "recipients": {"list_id": state.settings.mailchimp_list_id}}
        for cid, name, sent in rows
    ]
    return _json({"campaigns": campaigns, "total_items": total})


def _reports(request: Request, state: SandboxState) -> Response:
    count, offset = _page(request)
    since = _db(request.query_params.get("since_send_time")) or ""
    total = state.store.query("SELECT COUNT(*) FROM sandbox_campaigns WHERE sent_at >= ?",
                              (since,))[0][0]
    rows = state.store.query(
        "SELECT c.id, c.name, c.sent_at, "
        "(SELECT MAX(occurred_at) FROM sandbox_campaign_activity a "
        " WHERE a.campaign_id = c.id AND a.action = 'open'), "
        "(SELECT MAX(occurred_at) FROM sandbox_campaign_activity a "
        " WHERE a.campaign_id = c.id AND a.action = 'click') "
        "FROM sandbox_campaigns c WHERE c.sent_at >= ? ORDER BY c.sent_at, c.id "
        "LIMIT ? OFFSET ?", (since, count, offset))
    reports = [
        {"id": cid, "campaign_title": name, "type": "regular",
         "list_id": state.settings.mailchimp_list_id, "send_time": _iso(sent),
         "opens": {"last_open": _iso(last_open)}, "clicks": {"last_click": _iso(last_click)}}
        for cid, name, sent, last_open, last_click in rows
    ]
    return _json({"reports": reports, "total_items": total})


def _activity_item(action: str, at: str, url: str | None) -> dict[str, Any]:
    if action.startswith("bounce_"):
        return {"action": "bounce", "type": action[len("bounce_"):], "timestamp": _iso(at)}
    item: dict[str, Any] = {"action": action, "timestamp": _iso(at), "ip": "198.51.100.7"}
    if url:
        item["url"] = url
    return item


def _activity(request: Request, state: SandboxState, campaign_id: str) -> Response:
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
            grouped[email].append(_activity_item(action, at, url))
    body = {
        "emails": [
            {"campaign_id": campaign_id, "list_id": state.settings.mailchimp_list_id,
             "list_is_active": True, "email_id": member_id(e), "email_address": e,
             "activity": grouped[e]}
            for e in emails
        ],
        "campaign_id": campaign_id, "total_items": total,
    }
    return _json(body)


def _sent_to(request: Request, state: SandboxState, campaign_id: str) -> Response:
    """The recipients: everyone with activity on the campaign (bounced ones as hard/soft)."""
    count, offset = _page(request)
    total = state.store.query("SELECT COUNT(DISTINCT email) FROM sandbox_campaign_activity "
                              "WHERE campaign_id = ?", (campaign_id,))[0][0]
    rows = state.store.query(
        "SELECT email, MAX(CASE WHEN action LIKE 'bounce_%' THEN action END) "
        "FROM sandbox_campaign_activity WHERE campaign_id = ? GROUP BY email ORDER BY email "
        "LIMIT ? OFFSET ?", (campaign_id, count, offset))
    sent = [{"email_id": member_id(email), "email_address": email,
             "status": bounce[len("bounce_"):] if bounce else "sent",
             "campaign_id": campaign_id, "list_id": state.settings.mailchimp_list_id}
            for email, bounce in rows]
    return _json({"sent_to": sent, "campaign_id": campaign_id, "total_items": total})


def _campaign_route(request: Request, state: SandboxState,
                    parts: Sequence[str]) -> Response | None:
    if len(parts) != 3 or parts[0] != "reports":
        return None
    if not state.store.query("SELECT 1 FROM sandbox_campaigns WHERE id = ?", (parts[1],)):
        return _not_found()
    if parts[2] == "email-activity":
        return _activity(request, state, parts[1])
    if parts[2] == "sent-to":
        return _sent_to(request, state, parts[1])
    return None


async def mailchimp(request: Request, state: SandboxState, sub_path: str) -> Response:
    """Answer a request below ``/mailchimp/3.0``."""
    _count(state.store, sub_path)
    bare_403 = state.settings.faults.rate_403_bare
    if bare_403 and random.random() < bare_403:
        return Response(b"", status_code=403)
    if not _authorised(request, state):
        return _problem(401, "API Key Invalid", "Your API key may be invalid, or you've "
                        "attempted to access the wrong datacenter.")
    if request.method != "GET":
        return _problem(405, "Method Not Allowed", "The sandbox only reads.")
    parts = [p for p in sub_path.split("/") if p]
    routes: dict[tuple[str, ...], Callable[[], Response]] = {
        ("lists",): lambda: _lists(state),
        ("campaigns",): lambda: _campaigns(request, state),
        ("reports",): lambda: _reports(request, state),
    }
    if len(parts) == 3 and parts[0] == "lists" and parts[2] == "members":
        if parts[1] != state.settings.mailchimp_list_id:
            return _not_found()
        return _members(request, state, parts[1])
    handler = routes.get(tuple(parts))
    if handler is not None:
        return handler()
    return _campaign_route(request, state, parts) or _not_found()


class MailchimpControl:
    """Changes to the sandbox's Mailchimp data, as a Mailchimp user would make them."""

    def __init__(self, store: Store) -> None:
        self.store = store
        _ensure_members(store)

    def emails(self, status: str | None = None) -> list[str]:
        """Member addresses (of one status), in last_changed order."""
        rows = self.store.query(
            "SELECT email FROM sandbox_mc_members" + (" WHERE status = ?" if status else "")
            + " ORDER BY last_changed, id", (status,) if status else ())
        return [str(r[0]) for r in rows]

    def set_member(self, email: str, *, at: datetime, status: str | None = None,
                   rating: int | None = None, tags: Sequence[str] | None = None) -> None:
        """Add or change a member; ``last_changed`` becomes ``at``."""
        stamp = _stamp(at)
        mid = member_id(email)
        self.store.execute(
            "INSERT OR IGNORE INTO sandbox_mc_members VALUES (?, ?, 'subscribed', ?, ?, 2, '[]',"
            " NULL)", (mid, email, stamp, stamp))
        self.store.execute("UPDATE sandbox_mc_members SET last_changed = ? WHERE id = ?",
                           (stamp, mid))
        if status is not None:
            self.store.execute(
                "UPDATE sandbox_mc_members SET status = ?, unsubscribed_at = CASE WHEN ? = "
                "'unsubscribed' THEN ? ELSE unsubscribed_at END WHERE id = ?",
                (status, status, stamp, mid))
        if rating is not None:
            self.store.execute("UPDATE sandbox_mc_members SET rating = ? WHERE id = ?",
                               (rating, mid))
        if tags is not None:
            self.store.execute("UPDATE sandbox_mc_members SET tags = ? WHERE id = ?",
                               (json.dumps(list(tags)), mid))

    def bulk_import(self, count: int, *, at: datetime, domain: str = "import.example") -> None:
        """``count`` new subscribed members, all stamped with the one second ``at``."""
        stamp = _stamp(at)
        emails = [f"imported{n:05d}@{domain}" for n in range(count)]
        self.store.executemany(
            "INSERT OR REPLACE INTO sandbox_mc_members VALUES (?, ?, 'subscribed', ?, ?, 2, "
            "'[\"import\"]', NULL)", [(member_id(e), e, stamp, stamp) for e in emails])

    def add_campaign(self, campaign_id: str, *, sent_at: datetime, name: str = "") -> None:
        """A campaign sent at ``sent_at``."""
        self.store.execute("INSERT INTO sandbox_campaigns VALUES (?, ?, ?)",
                           (campaign_id, name or campaign_id, _stamp(sent_at)))

    def add_activity(self, campaign_id: str, email: str, action: str, *, at: datetime,
                     url: str | None = None) -> None:
        """One recipient's action: open, click (with ``url``), bounce_hard or bounce_soft."""
        self.store.execute("INSERT INTO sandbox_campaign_activity VALUES (?, ?, ?, ?, ?, ?)",
                           (campaign_id, "", email, action, _stamp(at), url))

    def requests(self) -> dict[str, int]:
        """Requests that reached the API (bare 403s included), by route: ``reports/*/sent-to``."""
        return {str(route): int(n) for route, n in self.store.query(
            "SELECT route, n FROM sandbox_mc_requests ORDER BY route")}

    def reset_requests(self) -> None:
        """Start counting requests from zero."""
        self.store.execute("DELETE FROM sandbox_mc_requests")

    def campaigns(self) -> list[tuple[str, str]]:
        """(id, sent_at) of every campaign, oldest first."""
        return [(str(c), str(s)) for c, s in self.store.query(
            "SELECT id, sent_at FROM sandbox_campaigns ORDER BY sent_at, id")]
