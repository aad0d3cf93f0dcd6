"""A minimal Matomo Reporting API: ``Live.getLastVisitsDetails`` over the sandbox's web visits.

``/matomo/index.php?module=API&method=Live.getLastVisitsDetails&idSite=1&format=JSON
&token_auth=...&filter_limit=100&filter_offset=0`` with optional ``minTimestamp`` and
``filter_sort_order=asc``; also ``API.getMatomoVersion``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from sandbox.state import SandboxState

__all__ = ["matomo"]


def _error(message: str) -> Response:
    return Response(json.dumps({"result": "error", "message": message}),
                    media_type="application/json")


def _epoch(stamp: str) -> int:
    return int(datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC).timestamp())


def _visit(row: tuple[Any, ...], site_id: int, by_email: bool) -> dict[str, Any]:
    visit_id, contact_id, email, visitor, started, duration, pages, referrer = row
    user_id = email if by_email else (contact_id if email else None)
    start = _epoch(started)
    urls = json.loads(pages)
    step = max(duration // max(len(urls), 1), 1)
    return {
        "idSite": str(site_id), "idVisit": str(visit_id), "visitorId": visitor,
        "userId": user_id, "visitIp": "198.51.100.0", "serverDate": started[:10],
        "serverTimestamp": start + duration, "firstActionTimestamp": start,
        "lastActionTimestamp": start + duration, "visitDuration": str(duration),
        "actions": str(len(urls)), "referrerType": referrer, "visitorType": "returning",
        "actionDetails": [
            {"type": "action", "url": f"https://www.example.com{url}",
             "timestamp": start + i * step, "pageTitle": url.strip("/") or "home"}
            for i, url in enumerate(urls)
        ],
    }


async def matomo(request: Request, state: SandboxState) -> Response:
    """Answer ``/matomo/index.php``."""
    params = dict(request.query_params)
    if request.method == "POST":
        params.update({k: str(v) for k, v in (await request.form()).items()})
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
        return Response(json.dumps({"value": "5.1.0"}), media_type="application/json")
    if method != "Live.getLastVisitsDetails":
        return _error(f"The method '{method}' does not exist or is not available.")
    if params.get("idSite") != str(site_id):
        return _error(f"An unexpected website was found in the request: website id was set "
                      f"to '{params.get('idSite')}' .")
    try:
        limit = int(params.get("filter_limit", "100"))
        offset = int(params.get("filter_offset", "0"))
        min_ts = int(params["minTimestamp"]) if "minTimestamp" in params else None
    except ValueError:
        return _error("filter_limit, filter_offset and minTimestamp must be integers.")
    order = "ASC" if params.get("filter_sort_order", "desc").lower() == "asc" else "DESC"
    where = "1 = 1"
    args: list[Any] = []
    if min_ts is not None:
        where = "started_at >= ?"
        args.append(datetime.fromtimestamp(min_ts, UTC).strftime("%Y-%m-%d %H:%M:%S"))
    limit_sql = "" if limit < 0 else " LIMIT ? OFFSET ?"
    if limit >= 0:
        args.extend([limit, offset])
    rows = state.store.query(
        "SELECT id, contact_id, user_id, visitor_id, started_at, duration_s, pages, "
        f"referrer_type FROM sandbox_web_visits WHERE {where} "
        f"ORDER BY started_at {order}, id {order}{limit_sql}", args)
    return Response(json.dumps([_visit(r, site_id, state.settings.matomo_user_id_is_email)
                                for r in rows]),
                    media_type="application/json")
