"""A small Mailchimp Marketing API 3.0 client: audiences, members, campaign reports, activity.

Built on ``connectors.http`` with Mailchimp's own status rules: a 403 without a body is
throttling and every 5xx passes (both retried with backoff, as are 429 and timeouts); a 401
or 403 with an ``application/problem+json`` body is an ``AuthError`` carrying the document's
title and detail. Requests stay under Mailchimp's 120 s limit (the settings refuse longer read
timeouts) and at most ``max_in_flight`` (8 of the 10 connections Mailchimp allows) run at once
per client, which is per account. Paging is ``count``/``offset`` with pages of ``page_size``.
"""

from __future__ import annotations

import ssl
import threading
import time
from collections.abc import Callable, Generator, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from connectors.errors import FatalAPIError
from connectors.http import (
    StatusRules,
    build_client,
    error_for_status,
    error_for_transport,
    problem_of,
    retrying,
)
from connectors.lifecycle import ClosesOnExit
from connectors.mail.settings import MailchimpSettings

__all__ = ["Audience", "MailchimpClient", "api_time", "parse_api_time"]

SYSTEM = "mailchimp"
_RULES = StatusRules(bare_403_throttles=True, retry_server_errors=True, problem_auth=True)
_HINT = "check sources.mailchimp.api_key (or oauth_token) and its data centre"
Params = Mapping[str, str | int]


def api_time(moment: datetime) -> str:
    """``moment`` as Mailchimp's filters take it (ISO 8601, UTC, seconds)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def parse_api_time(text: object) -> datetime | None:
    """A Mailchimp timestamp as an aware UTC datetime; None when empty or not a time."""
    if not isinstance(text, str) or not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


@dataclass(frozen=True)
class Audience:
    """One audience (list) of the account, with its member count."""

    id: str
    name: str
    member_count: int


class _Bearer(httpx.Auth):
    """An OAuth2 access token of a Mailchimp app (they do not expire)."""

    def __init__(self, token: str) -> None:
        self._token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._token}"
        yield request


def _auth(settings: MailchimpSettings) -> httpx.Auth:
    if settings.oauth_token is not None:
        return _Bearer(settings.oauth_token.get_secret_value())
    assert settings.api_key is not None  # the settings require one of the two
    return httpx.BasicAuth("suitepulse", settings.api_key.get_secret_value())


class MailchimpClient(ClosesOnExit):
    """One Mailchimp account; a context manager that closes its connections."""

    def __init__(self, settings: MailchimpSettings, *,
                 transport: httpx.BaseTransport | None = None,
                 sleep: Callable[[float], None] = time.sleep,
                 tls: ssl.SSLContext | None = None) -> None:
        self.settings = settings
        self._sleep = sleep
        self._gate = threading.BoundedSemaphore(settings.max_in_flight)
        self._http = build_client(settings.http, base_url=settings.api_url(),
                                  auth=_auth(settings), headers={"Accept": "application/json"},
                                  transport=transport, tls=tls)


    def close(self) -> None:
        """Close the connections."""
        self._http.close()

    @property
    def datacenter(self) -> str | None:
        """The account's data centre (from the key or the settings)."""
        return self.settings.data_centre

    def get(self, path: str, params: Params | None = None) -> dict[str, Any]:
        """One GET, retried as ``connectors.http`` says; the JSON object it returns."""
        return retrying(self.settings.http, sleep=self._sleep)(self._attempt, path, params)

    def _attempt(self, path: str, params: Params | None) -> dict[str, Any]:
        with self._gate:
            try:
                response = self._http.get(path, params=dict(params or {}))
            except httpx.TransportError as exc:
                raise error_for_transport(exc, system=SYSTEM) from None
        if response.status_code >= 400:
            raise error_for_status(
                system=SYSTEM, status=response.status_code, url=response.request.url,
                retry_after=response.headers.get("retry-after"), rules=_RULES,
                empty_body=not response.content.strip(), problem=problem_of(response),
                hint=_HINT if response.status_code in (401, 403) else None)
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise FatalAPIError("the reply is not a JSON object", system=SYSTEM,
                                status=response.status_code, url=str(response.request.url))
        return body

    def page(self, path: str, items: str, params: Params, offset: int) -> list[dict[str, Any]]:
        """One page of the list ``items`` at ``offset`` (``page_size`` long at most)."""
        body = self.get(path, {**params, "count": self.settings.page_size, "offset": offset})
        rows = body.get(items)
        if not isinstance(rows, list):
            raise FatalAPIError(f"the reply has no {items!r} list", system=SYSTEM, url=path)
        return [row for row in rows if isinstance(row, dict)]

    def pages(self, path: str, items: str, params: Params) -> Iterator[list[dict[str, Any]]]:
        """Every page of the list ``items``, by offset, until a short page."""
        offset = 0
        while True:
            rows = self.page(path, items, params, offset)
            if rows:
                yield rows
            if len(rows) < self.settings.page_size:
                return
            offset += len(rows)

    def audiences(self) -> list[Audience]:
        """The account's audiences with their member counts."""
        return [Audience(str(row.get("id")), str(row.get("name") or ""),
                         int((row.get("stats") or {}).get("member_count") or 0))
                for page in self.pages("/lists", "lists",
                                       {"fields": "lists.id,lists.name,lists.stats,total_items"})
                for row in page]

    def reports(self, since_send_time: datetime) -> Iterator[list[dict[str, Any]]]:
        """Reports of the campaigns sent since ``since_send_time`` (opens, clicks, times)."""
        return self.pages("/reports", "reports", {
            "since_send_time": api_time(since_send_time),
            "fields": "reports.id,reports.list_id,reports.send_time,reports.opens.last_open,"
                      "reports.clicks.last_click,reports.bounces,total_items"})

    def email_activity(self, campaign_id: str,
                       since: datetime | None) -> Iterator[list[dict[str, Any]]]:
        """Per-recipient activity of a campaign (opens, clicks, bounces) since ``since``."""
        params: dict[str, str | int] = {"since": api_time(since)} if since else {}
        return self.pages(f"/reports/{campaign_id}/email-activity", "emails", params)

    def sent_to(self, campaign_id: str) -> Iterator[list[dict[str, Any]]]:
        """The recipients of a campaign, with their delivery status."""
        return self.pages(f"/reports/{campaign_id}/sent-to", "sent_to", {
            "fields": "sent_to.email_id,sent_to.email_address,sent_to.status,total_items"})
