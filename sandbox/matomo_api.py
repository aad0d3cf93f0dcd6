"""A small Matomo Reporting API over the sandbox's web visits.

``/matomo/index.php?module=API&method=...&format=JSON``, parameters in the query or in a POST
form (``token_auth`` in either). Methods:

* ``Live.getLastVisitsDetails``: ``idSite``, ``period`` (``day`` or ``range``) with ``date``
  (``today``, ``YYYY-MM-DD`` or ``YYYY-MM-DD,YYYY-MM-DD``, days in the site's timezone; a
  range ending today is open), ``minTimestamp`` (last action strictly after it, as Matomo
  compares), ``filter_sort_order`` (by last action time), ``filter_limit``, ``filter_offset``.
  Visits that include ``/contact`` convert the goal "Contact request"; visits that include
  ``/account/orders`` hold an e-commerce order.
* ``SitesManager.getSiteFromId`` (with ``timezone`` and ``currency``), ``API.getMatomoVersion``.

Errors are Matomo's ``{"result": "error", "message": ...}`` with HTTP 200, as Matomo sends
them. Faults: ``matomo_visits_log`` answers Matomo's two "Visits log is deactivated" errors;
``matomo_memory_visits`` answers a PHP memory fatal error (HTTP 500) for larger pages.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import parse_qsl
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import Response

from sandbox.state import SandboxState

__all__ = ["matomo"]

_GLOBALLY = ("Visits log is deactivated globally. A user with super user access can enable "
             "this feature in the general settings.")
_FOR_SITE = ("Visits log is deactivated in website settings. A user with at least admin access "
             "can enable this feature in the settings for this website (idSite={site}).")
_MEMORY = ("<br />\n<b>Fatal error</b>:  Allowed memory size of 134217728 bytes exhausted (tried "
           "to allocate 20480 bytes) in <b>/var/www/matomo/core/DataTable.php</b> on line "
           "<b>1214</b><br />\n")
_CONTACT_GOAL = {"goalId": "1", "goalName": "Contact request", "revenue": 0}


def _json(body: Any) -> Response:
    return Response(json.dumps(body), media_type="application/json")


def _error(message: str) -> Response:
    return _json({"result": "error", "message": message})


def _epoch(stamp: str) -> int:
    return int(datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC).timestamp())


def _steps(visit_id: int, start: int, duration: int, urls: list[str]) -> list[dict[str, Any]]:
    step = max(duration // max(len(urls), 1), 1)
    steps: list[dict[str, Any]] = []
    for i, url in enumerate(urls):
        at = start + i * step
        steps.append({"type": "action", "url": f"https://www.example.com{url}",
                      "timestamp": at, "pageTitle": url.strip("/") or "home"})
        if url == "/contact":
            steps.append({"type": "goal", **_CONTACT_GOAL, "timestamp": at,
                          "url": f"https://www.example.com{url}"})
        if url == "/account/orders":
            steps.append({"type": "ecommerceOrder", "orderId": f"W{visit_id:06d}",
                          "revenue": str(20 + visit_id * 37 % 480), "items": "1",
                          "timestamp": at, "itemDetails": []})
    return steps


def _visit(row: tuple[Any, ...], site_id: int, by_email: bool) -> dict[str, Any]:
    visit_id, contact_id, email, visitor, started, duration, pages, referrer, last = row
    user_id = email if by_email else (contact_id if email else None)
    start = _epoch(started)
    steps = _steps(visit_id, start, duration, json.loads(pages))
    return {
        "idSite": str(site_id), "idVisit": str(visit_id), "visitorId": visitor,
        "fingerprint": f"{visit_id * 7919:016x}", "userId": user_id,
        "visitIp": "198.51.100.0", "serverDate": started[:10], "serverTimestamp": last,
        "firstActionTimestamp": start, "lastActionTimestamp": last,
        "visitDuration": str(duration), "actions": str(len(json.loads(pages))),
        "referrerType": referrer, "visitorType": "returning", "siteCurrency": "EUR",
        "goalConversions": str(sum(1 for s in steps if s["type"] == "goal")),
        "actionDetails": steps,
    }


def _days(period: str, value: str, zone: ZoneInfo) -> tuple[date, date] | None:
    today = datetime.now(zone).date()
    try:
        if period == "range":
            first, last = (date.fromisoformat(part.strip()) if part.strip() != "today"
                           else today for part in value.split(","))
        elif period == "day":
            first = last = today if value == "today" else date.fromisoformat(value)
        else:
            return None
    except ValueError:
        return None
    return first, last


def _bounds(days: tuple[date, date], zone: ZoneInfo) -> tuple[int, int | None]:
    first, last = days
    start = datetime.combine(first, time(), zone)
    if last >= datetime.now(zone).date():
        return int(start.timestamp()), None
    end = datetime.combine(last + timedelta(days=1), time(), zone)
    return int(start.timestamp()), int(end.timestamp())


def _live(params: dict[str, str], state: SandboxState, site_id: int) -> Response:
    faults = state.settings.faults
    if faults.matomo_visits_log == "off_globally":
        return _error(_GLOBALLY)
    if faults.matomo_visits_log == "off_for_site":
        return _error(_FOR_SITE.format(site=site_id))
    try:
        limit = int(params.get("filter_limit", "100"))
        offset = int(params.get("filter_offset", "0"))
        min_ts = int(params["minTimestamp"]) if params.get("minTimestamp") else None
    except ValueError:
        return _error("filter_limit, filter_offset and minTimestamp must be integers.")
    if faults.matomo_memory_visits is not None and (limit < 0 or
                                                    limit > faults.matomo_memory_visits):
        return Response(_MEMORY, status_code=500, media_type="text/html")
    zone = ZoneInfo(state.settings.matomo_timezone)
    where, args = ["1 = 1"], []
    if params.get("period") and params.get("date"):
        days = _days(params["period"], params["date"], zone)
        if days is None:
            return _error(f"The date '{params['date']}' is not a correct date for period "
                          f"'{params['period']}'.")
        start, end = _bounds(days, zone)
        where.append("last_ts >= ?")
        args.append(start)
        if end is not None:
            where.append("last_ts < ?")
            args.append(end)
    if min_ts is not None:
        where.append("last_ts > ?")
        args.append(min_ts)
    order = "ASC" if params.get("filter_sort_order", "desc").lower() == "asc" else "DESC"
    limit_sql = ""
    if limit >= 0:
        limit_sql = " LIMIT ? OFFSET ?"
        args.extend([limit, offset])
    rows = state.store.query(
        "SELECT * FROM (SELECT id, contact_id, user_id, visitor_id, started_at, duration_s, "
        "pages, referrer_type, CAST(strftime('%s', started_at) AS INTEGER) + duration_s AS "
        f"last_ts FROM sandbox_web_visits) WHERE {' AND '.join(where)} "
        f"ORDER BY last_ts {order}, id {order}{limit_sql}", args)
    return _json([_visit(r, site_id, state.settings.matomo_user_id_is_email) for r in rows])


async def matomo(request: Request, state: SandboxState) -> Response:
    """Answer ``/matomo/index.php``."""
    params = dict(request.query_params)
    if request.method == "POST":
        params.update(parse_qsl((await request.body()).decode("utf-8", "replace"),
                                keep_blank_values=True))  # a urlencoded form
    site_id = state.settings.matomo_site_id
    if params.get("module") != "API":
        return _error("The parameter 'module' must be 'API'.")
    if params.get("token_auth") != state.settings.matomo_token.get_secret_value():
        return _error(f"You can't access this resource as it requires 'view' access for the "
                      f"website id = {params.get('idSite', site_id)}.")
    if params.get("format", "xml").lower() != "json":
        return _error("The sandbox answers format=JSON only.")
    method = params.get("method", "")
    if method == "API.getMatomoVersion":
        return _json({"value": "5.1.0"})
    if method not in ("Live.getLastVisitsDetails", "SitesManager.getSiteFromId"):
        return _error(f"The method '{method}' does not exist or is not available.")
    if params.get("idSite") != str(site_id):
        return _error(f"An unexpected website was found in the request: website id was set "
                      f"to '{params.get('idSite')}' .")
    if method == "SitesManager.getSiteFromId":
        return _json({"idsite": str(site_id), "name": "Sandbox shop",
                      "main_url": "https://www.example.com", "ecommerce": "1",
                      "timezone": state.settings.matomo_timezone, "currency": "EUR",
                      "ts_created": "2020-01-01 00:00:00"})
    return _live(params, state, site_id)
