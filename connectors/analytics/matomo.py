"""A small client of Matomo's Reporting API: the site's timezone and its visits log.

Every request is a POST to ``index.php`` with ``module=API``, ``method`` and ``format=JSON``
in the query and every other parameter, ``token_auth`` among them, in the form body: Matomo 5
ignores secure-only tokens sent in URLs, and a URL ends up in logs. An answer
``{"result": "error", "message": ...}`` is an error whatever the HTTP status (Matomo often
sends it with 200); it maps onto the connector errors like an HTTP status does.

Visits are read by keyset: ``Live.getLastVisitsDetails`` keeps visits whose last action is
strictly after ``minTimestamp``, sorted by last action time (``filter_sort_order=asc``). The
next page starts one second before the last time seen, skipping (by offset) only the visits
of that second already read; so the offset never grows past one timestamp. A memory or
time-out failure of a page halves ``filter_limit`` and asks again.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import httpx

from connectors.analytics.settings import MatomoSettings
from connectors.analytics.visits import Visit, parse_visit
from connectors.errors import AuthError, ConnectorError, FatalAPIError
from connectors.http import (
    build_client,
    error_for_status,
    error_for_transport,
    redact_text,
    redact_url,
    retrying,
)
from connectors.lifecycle import ClosesOnExit

__all__ = ["MatomoClient", "MatomoOverloadError", "Site", "VisitsLogDisabledError"]

log = logging.getLogger(__name__)

SYSTEM = "matomo"
_LIVE = "Live.getLastVisitsDetails"
_OVERLOAD = re.compile(r"allowed memory size|memory exhausted|out of memory|"
                       r"maximum execution time|execution time of \d+ seconds? exceeded",
                       re.IGNORECASE)
_DISABLED_GLOBALLY = "visits log is deactivated globally"
_DISABLED_FOR_SITE = "visits log is deactivated in website settings"
_NO_ACCESS = re.compile(r"token_auth|access|not authenticated|login", re.IGNORECASE)


class VisitsLogDisabledError(FatalAPIError):
    """Matomo's visits log (and so the Live API) is switched off: a setting, not a failure."""


class MatomoOverloadError(FatalAPIError):
    """Matomo ran out of memory or time even for the smallest page allowed."""


class _Overloaded(FatalAPIError):
    """One page was too heavy for Matomo (memory, time-out): ask for a smaller one."""


@dataclass(frozen=True)
class Site:
    """A Matomo site as ``SitesManager.getSiteFromId`` describes it."""

    site_id: int
    timezone: tzinfo
    currency: str | None


def _disabled(message: str, site_id: object, url: str, status: int) -> VisitsLogDisabledError:
    if _DISABLED_GLOBALLY in message.lower():
        return VisitsLogDisabledError(
            "the visits log is deactivated for every site of this Matomo", system=SYSTEM,
            status=status, url=url, detail=message,
            hint="a Matomo super user can enable it: Administration > System > General "
                 "settings > Live, untick 'Disable visits log & visitor profile'")
    return VisitsLogDisabledError(
        f"the visits log is deactivated for site {site_id}", system=SYSTEM, status=status,
        url=url, detail=message,
        hint=f"a user with admin access to site {site_id} can enable it: Administration > "
             f"Websites > Manage, edit site {site_id}, untick 'Disable visits log & visitor "
             "profile'")


class MatomoClient(ClosesOnExit):
    """Calls of one Matomo instance with one token; use as a context manager."""

    def __init__(self, settings: MatomoSettings, *,
                 transport: httpx.BaseTransport | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.settings = settings
        self._secret = settings.token_auth.get_secret_value()
        self._sleep = sleep
        self._http = build_client(settings.http, base_url=str(settings.base_url).rstrip("/")
                                  + "/", transport=transport)


    def close(self) -> None:
        """Close the HTTP connections."""
        self._http.close()

    # -- one call ---------------------------------------------------------------------------

    def call(self, method: str, params: Mapping[str, object] | None = None, *,
             heavy: bool = False) -> Any:
        """The decoded answer of one API method; passing failures are retried.

        ``heavy`` marks a request whose time-out or memory failure means "ask for less"
        (raised as ``_Overloaded``, not retried as it is).
        """
        for attempt in retrying(self.settings.http, sleep=self._sleep):
            with attempt:
                return self._post(method, params or {}, heavy=heavy)
        raise AssertionError("unreachable: tenacity re-raises the last error")  # pragma: no cover

    def _post(self, method: str, params: Mapping[str, object], *, heavy: bool) -> Any:
        query = {"module": "API", "method": method, "format": "JSON"}
        body = {key: str(value) for key, value in params.items()}
        body["token_auth"] = self._secret
        try:
            response = self._http.post("index.php", params=query, data=body)
        except httpx.TimeoutException as error:
            if heavy:
                raise _Overloaded(f"timed out ({type(error).__name__})", system=SYSTEM,
                                  url=redact_url(error.request.url)) from None
            raise error_for_transport(error, system=SYSTEM) from None
        except httpx.TransportError as error:
            raise error_for_transport(error, system=SYSTEM) from None
        url = redact_url(response.request.url)
        text = redact_text(response.text, [self._secret])
        if heavy and response.status_code == 504:
            raise _Overloaded("Matomo's gateway timed out", system=SYSTEM, status=504, url=url)
        try:
            payload = json.loads(response.text)
        except ValueError:
            if heavy and _OVERLOAD.search(text[:4000]):  # a PHP fatal error page
                raise _Overloaded("Matomo ran out of memory or time", system=SYSTEM,
                                  status=response.status_code, url=url,
                                  detail=text[:300]) from None
            if response.status_code >= 400:
                raise error_for_status(system=SYSTEM, status=response.status_code, url=url,
                                       detail=text[:300],
                                       retry_after=response.headers.get("Retry-After")
                                       ) from None
            raise FatalAPIError("the answer is not JSON", system=SYSTEM,
                                status=response.status_code, url=url, detail=text[:300],
                                hint="check base_url: it must be the Matomo root, where "
                                     "index.php is") from None
        if isinstance(payload, dict) and payload.get("result") == "error":
            raise self._api_error(redact_text(str(payload.get("message") or ""),
                                              [self._secret]), params, url,
                                  response.status_code)
        if response.status_code >= 400:
            raise error_for_status(system=SYSTEM, status=response.status_code, url=url,
                                   detail=text[:300],
                                   retry_after=response.headers.get("Retry-After"))
        return payload

    @staticmethod
    def _api_error(message: str, params: Mapping[str, object], url: str,
                   status: int) -> ConnectorError:
        lowered = message.lower()
        site = params.get("idSite", "?")
        if _DISABLED_GLOBALLY in lowered or _DISABLED_FOR_SITE in lowered:
            return _disabled(message, site, url, status)
        if _OVERLOAD.search(message):
            return _Overloaded("Matomo ran out of memory or time", system=SYSTEM,
                               status=status, url=url, detail=message)
        if _NO_ACCESS.search(message):
            return AuthError("Matomo refused the token", system=SYSTEM, status=status,
                             url=url, detail=message,
                             hint=f"token_auth must be a valid token of a user with at least "
                                  f"view access to site {site}")
        if status in (429, 502, 503, 504):
            return error_for_status(system=SYSTEM, status=status, url=url, detail=message)
        return FatalAPIError("Matomo refused the request", system=SYSTEM, status=status,
                             url=url, detail=message)

    # -- methods ----------------------------------------------------------------------------

    def site(self, site_id: int) -> Site:
        """The site's timezone and currency (``SitesManager.getSiteFromId``)."""
        answer = self.call("SitesManager.getSiteFromId", {"idSite": site_id})
        if not isinstance(answer, Mapping) or not answer.get("timezone"):
            raise FatalAPIError(f"site {site_id} has no timezone in Matomo's answer",
                                system=SYSTEM, detail=str(answer)[:200],
                                hint="check site_id: Matomo does not know this site")
        name = str(answer["timezone"])
        zone: tzinfo
        try:
            zone = ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            zone = _utc_offset_zone(name, site_id)
        currency = answer.get("currency")
        return Site(site_id, zone, str(currency) if currency else None)

    def check_visits_log(self, site_id: int) -> None:
        """Raise ``VisitsLogDisabledError`` (or another error) unless Live answers for the site."""
        self.call(_LIVE, {"idSite": site_id, "period": "day", "date": "today",
                          "filter_limit": 1, "doNotFetchActions": 1})

    def visit_pages(self, site_id: int, *, after: int, first_day: date,
                    last_day: date) -> Iterator[list[Visit]]:
        """Pages of the site's visits whose last action is after ``after`` (epoch seconds).

        ``first_day`` .. ``last_day`` (site-local days) bound the range Matomo searches.
        Visits come in last-action order; a visit Matomo could not describe is left out.
        """
        settings = self.settings
        limit, offset, min_ts = settings.page_size, 0, after
        keep = frozenset(settings.keep)
        previous: list[str] | None = None
        while True:
            params = {"idSite": site_id, "period": "range",
                      "date": f"{first_day.isoformat()},{last_day.isoformat()}",
                      "minTimestamp": min_ts, "filter_sort_order": "asc",
                      "filter_limit": limit, "filter_offset": offset}
            try:
                raw = self.call(_LIVE, params, heavy=True)
            except _Overloaded as error:
                if limit <= settings.min_page_size:
                    raise MatomoOverloadError(
                        f"a page of {limit} visits still exhausts Matomo", system=SYSTEM,
                        status=error.status, url=error.url, detail=error.detail,
                        hint="raise Matomo's memory_limit / max_execution_time, or lower "
                             "min_page_size") from None
                limit = max(limit // 2, settings.min_page_size)
                log.warning("Matomo site %s: %s; asking for %d visits a page", site_id,
                            error.reason, limit)
                continue
            if not isinstance(raw, list):
                raise FatalAPIError("Live.getLastVisitsDetails did not answer a list",
                                    system=SYSTEM, detail=str(raw)[:200])
            entries = [entry for entry in raw if isinstance(entry, Mapping)]
            ids = [str(entry.get("idVisit")) for entry in entries]
            if ids and ids == previous:
                raise FatalAPIError("Matomo answered the same page twice", system=SYSTEM,
                                    hint="a proxy or plugin may drop filter_offset or "
                                         "minTimestamp; the visits cannot be paged")
            previous = ids
            visits = [visit for entry in entries
                      if (visit := parse_visit(entry, site_id=site_id, keep=keep))]
            if len(visits) < len(raw):
                log.warning("Matomo site %s: %d visits without id or times left out", site_id,
                            len(raw) - len(visits))
            if visits:
                yield visits
            stamps = [_stamp(entry) for entry in entries]
            if len(raw) < limit or not any(stamps):
                return
            last = max(stamps)
            seen_at_last = sum(1 for stamp in stamps if stamp == last)
            offset = offset + seen_at_last if min_ts == last - 1 else seen_at_last
            min_ts = last - 1


def _stamp(entry: Mapping[str, Any]) -> int:
    try:
        return int(entry.get("lastActionTimestamp") or 0)
    except (TypeError, ValueError):
        return 0


def _utc_offset_zone(name: str, site_id: int) -> tzinfo:
    """Matomo also stores fixed offsets as ``UTC``, ``UTC+5.5`` or ``UTC-3``."""
    found = re.fullmatch(r"UTC(?:([+-])(\d{1,2}(?:\.\d+)?))?", name.strip())
    if found:
        hours = float(found.group(2) or 0) * (-1 if found.group(1) == "-" else 1)
        if abs(hours) < 24:
            return timezone(timedelta(hours=hours))
    raise FatalAPIError(
        f"site {site_id} has the timezone {name!r}, which is not an IANA name", system=SYSTEM,
        hint="set the site's timezone to a city (e.g. Europe/Berlin) in Matomo's "
             "Websites > Manage")
