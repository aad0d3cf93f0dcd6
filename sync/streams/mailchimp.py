"""Mailchimp as interaction streams: audience members (consent), unsubscribes, campaign activity.

Per audience, three streams, each with a ``last_changed`` cursor:

- ``mailchimp:<list>:members``: every member (channel ``audience``, kind = member status).
- ``mailchimp:<list>:archived``: archived members, which the plain list leaves out.
- ``mailchimp:<list>:unsubscribes``: ``unsubscribed_since`` sweeps (channel ``campaign``,
  kind ``unsubscribe``).

Member reads are windows from the cursor minus ``overlap_seconds`` to now - 60 s
(``before_last_changed``: writes of the current seconds settle first), sorted by
``last_changed`` ascending. The next window starts one second below the last row's
``last_changed`` (whether Mailchimp's ``since_last_changed`` includes its second or not);
rows seen in those two seconds are dropped as duplicates. Only when a whole page lies in those
two seconds (a bulk import stamps thousands with one second) does ``offset`` page on, within
them, overlapping ``margin`` rows so members that change meanwhile and leave the second do
not shift an unseen one past the offset. A member changed during the run leaves the window
(its new ``last_changed`` is past ``before_last_changed``) and is read by the next run.
Kept per member: e-mail (the identity key), status, ``last_changed``, ``timestamp_opt``,
member rating and tag names; no names or merge fields.

Campaigns: one stream per campaign sent to a configured audience within
``activity_window_days`` (``mailchimp:campaign:<id>``), its cursor the latest activity read.
The campaigns come from one ``/reports`` listing (``since_send_time``) when the streams are
opened; a campaign is read only when its report's ``opens.last_open`` / ``clicks.last_click``
passed its cursor, or it was sent less than ``settle_days`` ago (bounces settle), so a
second sync costs O(changed campaigns) requests. A read asks ``email-activity`` with
``since`` = cursor - 10 min, de-duplicates on (campaign, email_id, action, timestamp, url),
and yields the rows in time order (the first read also yields ``sent`` from ``sent-to``).
Kinds: ``sent``, ``open``, ``click``, ``bounce_hard``, ``bounce_soft``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from connectors.mail.mailchimp import MailchimpClient, api_time, parse_api_time
from connectors.mail.settings import MailchimpSettings
from sync.streams.connections import Connections
from sync.streams.contract import Stream
from sync.streams.cursor import CursorValue

if TYPE_CHECKING:
    from sync.config import ClientConfig

__all__ = [
    "AUDIENCE_CHANNEL",
    "CampaignActivityStream",
    "MemberStream",
    "UnsubscribeStream",
    "open_mailchimp_streams",
]

AUDIENCE_CHANNEL = "audience"
_SETTLE_WRITES = timedelta(seconds=60)
_SECOND = timedelta(seconds=1)
_ACTIVITY_OVERLAP = timedelta(minutes=10)
_MEMBER_FIELDS = ("members.id,members.email_address,members.status,members.last_changed,"
                  "members.timestamp_opt,members.member_rating,members.tags,total_items")
Connect = Callable[[], AbstractContextManager[MailchimpClient]]
Clock = Callable[[], datetime]


def _now() -> datetime:
    return datetime.now(UTC)


def _since(value: CursorValue | None) -> datetime | None:
    if value is not None and not isinstance(value, datetime):
        raise TypeError("a Mailchimp stream's cursor is a datetime")
    return value


def _member_row(raw: dict[str, Any], audience: str) -> dict[str, Any] | None:
    changed = parse_api_time(raw.get("last_changed"))
    if not raw.get("id") or changed is None:
        return None
    return {"id": f"{audience}:{raw['id']}", "occurred_at": changed, "last_changed": changed,
            "kind": str(raw.get("status") or "unknown"),
            "mailchimp_email": raw.get("email_address"), "audience": audience,
            "timestamp_opt": raw.get("timestamp_opt") or None,
            "member_rating": raw.get("member_rating"),
            "tags": sorted(str(t.get("name")) for t in raw.get("tags") or []
                           if isinstance(t, dict))}


class MemberStream:
    """The members of one audience (or its archived ones), keyset-paged by ``last_changed``."""

    primary_key = "id"
    cursor_field = "last_changed"
    channel = AUDIENCE_CHANNEL

    def __init__(self, connect: Connect, settings: MailchimpSettings, audience: str, *,
                 archived: bool = False, clock: Clock = _now) -> None:
        self._connect, self._settings, self._clock = connect, settings, clock
        self.audience = audience
        self.status = "archived" if archived else None
        self.name = f"mailchimp:{audience}:{'archived' if archived else 'members'}"

    def _params(self, before: datetime) -> dict[str, str | int]:
        params: dict[str, str | int] = {
            "before_last_changed": api_time(before), "sort_field": "last_changed",
            "sort_dir": "ASC", "fields": _MEMBER_FIELDS}
        if self.status:
            params["status"] = self.status
        return params

    def read(self, since: CursorValue | None) -> Iterator[list[dict[str, Any]]]:
        """Pages of members changed from ``since`` (minus the overlap) to now - 60 s."""
        start = _since(since)
        lower = start - timedelta(seconds=self._settings.overlap_seconds) if start else None
        base = self._params(self._clock() - _SETTLE_WRITES)
        size = self._settings.page_size
        margin = max(1, size // 20)
        path = f"/lists/{self.audience}/members"
        seen: dict[str, datetime] = {}
        offset = 0
        with self._connect() as client:
            while True:
                params = {**base, **({"since_last_changed": api_time(lower)} if lower else {})}
                raw = client.page(path, "members", params, offset)
                rows = [row for item in raw if (row := _member_row(item, self.audience))]
                fresh = [row for row in rows if seen.get(row["id"]) != row["last_changed"]]
                if fresh:
                    yield fresh
                if len(raw) < size or not rows:
                    return
                for row in rows:
                    seen[row["id"]] = row["last_changed"]
                band = rows[-1]["last_changed"] - _SECOND
                dense = rows[0]["last_changed"] >= band  # the whole page in two seconds
                if dense and lower is not None and lower >= band - _SECOND:
                    offset += len(raw) - margin  # moving the window would not help: page on
                    continue
                lower, offset = band, 0
                seen = {key: stamp for key, stamp in seen.items() if stamp >= band}


class UnsubscribeStream:
    """Unsubscribes of one audience (``unsubscribed_since``), as ``unsubscribe`` interactions."""

    primary_key = "id"
    cursor_field = "last_changed"
    channel = "campaign"

    def __init__(self, connect: Connect, settings: MailchimpSettings, audience: str, *,
                 clock: Clock = _now) -> None:
        self._connect, self._settings, self._clock = connect, settings, clock
        self.audience = audience
        self.name = f"mailchimp:{audience}:unsubscribes"

    def read(self, since: CursorValue | None) -> Iterator[list[dict[str, Any]]]:
        """Pages of members who unsubscribed from ``since`` (minus the overlap) on."""
        start = _since(since)
        params: dict[str, str | int] = {
            "status": "unsubscribed", "sort_field": "last_changed", "sort_dir": "ASC",
            "before_last_changed": api_time(self._clock() - _SETTLE_WRITES),
            "fields": _MEMBER_FIELDS}
        if start is not None:
            lower = start - timedelta(seconds=self._settings.overlap_seconds)
            params["unsubscribed_since"] = api_time(lower)
        size = self._settings.page_size
        margin = max(1, size // 20)
        seen: set[str] = set()
        offset = 0
        with self._connect() as client:
            while True:
                raw = client.page(f"/lists/{self.audience}/members", "members", params, offset)
                page = []
                for item in raw:
                    member = _member_row(item, self.audience)
                    if member is None or member["kind"] != "unsubscribed":
                        continue
                    changed: datetime = member["last_changed"]
                    key = f"{member['id']}:unsubscribe:{int(changed.timestamp())}"
                    if key not in seen:
                        seen.add(key)
                        page.append({"id": key, "occurred_at": changed,
                                     "last_changed": changed, "kind": "unsubscribe",
                                     "mailchimp_email": member["mailchimp_email"],
                                     "audience": self.audience})
                if page:
                    yield sorted(page, key=lambda row: row["last_changed"])
                if len(raw) < size:
                    return
                offset += len(raw) - margin


def _activity_kind(item: dict[str, Any]) -> str | None:
    action = str(item.get("action") or "")
    if action == "bounce":
        return "bounce_soft" if str(item.get("type") or "").lower() == "soft" else "bounce_hard"
    return action if action in ("open", "click") else None


def _activity_id(campaign: str, email_id: str, action: str, stamp: datetime,
                 url: str | None) -> str:
    tail = hashlib.sha256((url or "").encode()).hexdigest()[:12] if url else "-"
    return f"{campaign}:{email_id}:{action}:{int(stamp.timestamp())}:{tail}"


class CampaignActivityStream:
    """The recipients' activity of one sent campaign, read only when its report moved."""

    primary_key = "id"
    cursor_field = "occurred_at"
    channel = "campaign"

    def __init__(self, connect: Connect, settings: MailchimpSettings, report: dict[str, Any],
                 *, lookback: timedelta = timedelta(0), clock: Clock = _now) -> None:
        self._connect, self._settings, self._clock = connect, settings, clock
        self.campaign = str(report["id"])
        self.send_time = parse_api_time(report.get("send_time"))
        self.last_activity = max(
            (stamp for stamp in (parse_api_time((report.get("opens") or {}).get("last_open")),
                                 parse_api_time((report.get("clicks") or {}).get("last_click")))
             if stamp is not None), default=None)
        self._lookback = lookback
        self.name = f"mailchimp:campaign:{self.campaign}"

    def due(self, since: datetime | None) -> bool:
        """Whether a read from ``since`` (the saved cursor minus the look-back) is worth it."""
        if since is None:
            return True
        settle = timedelta(days=self._settings.settle_days)
        if self.send_time is None or self._clock() - self.send_time < settle:
            return True
        return self.last_activity is not None and self.last_activity > since + self._lookback

    def read(self, since: CursorValue | None) -> Iterator[list[dict[str, Any]]]:
        """Pages of activity in time order; nothing (no request) when the report is still."""
        start = _since(since)
        if not self.due(start):
            return
        rows: dict[str, dict[str, Any]] = {}
        with self._connect() as client:
            if start is None and self.send_time is not None:
                for page in client.sent_to(self.campaign):
                    for item in page:
                        email_id = str(item.get("email_id") or "")
                        if email_id:
                            key = f"{self.campaign}:{email_id}:sent"
                            rows[key] = {"id": key, "occurred_at": self.send_time,
                                         "kind": "sent", "campaign": self.campaign,
                                         "mailchimp_email": item.get("email_address")}
            after = start - _ACTIVITY_OVERLAP if start is not None else None
            for page in client.email_activity(self.campaign, after):
                for recipient in page:
                    self._collect(recipient, rows)
        ordered = sorted(rows.values(), key=lambda row: (row["occurred_at"], row["id"]))
        size = self._settings.page_size
        for begin in range(0, len(ordered), size):
            yield ordered[begin:begin + size]

    def _collect(self, recipient: dict[str, Any], rows: dict[str, dict[str, Any]]) -> None:
        email_id = str(recipient.get("email_id") or "")
        for item in recipient.get("activity") or []:
            if not isinstance(item, dict):
                continue
            kind, stamp = _activity_kind(item), parse_api_time(item.get("timestamp"))
            if not email_id or kind is None or stamp is None:
                continue
            url = item.get("url") if kind == "click" else None
            key = _activity_id(self.campaign, email_id, str(item.get("action")), stamp,
                               str(url) if url else None)
            rows[key] = {"id": key, "occurred_at": stamp, "kind": kind,
                         "campaign": self.campaign,
                         "mailchimp_email": recipient.get("email_address")}


def _campaign_streams(client: MailchimpClient, connect: Connect, settings: MailchimpSettings,
                      lookback: timedelta, clock: Clock) -> list[Stream]:
    window = clock() - timedelta(days=settings.activity_window_days)
    audiences = set(settings.audiences)
    return [CampaignActivityStream(connect, settings, report, lookback=lookback, clock=clock)
            for page in client.reports(window) for report in page
            if report.get("id") and report.get("list_id") in audiences]


def _streams(client: MailchimpClient, connect: Connect, settings: MailchimpSettings,
             lookback: timedelta, clock: Clock) -> list[Stream]:
    streams: list[Stream] = []
    for audience in settings.audiences:
        streams += [MemberStream(connect, settings, audience, clock=clock),
                    MemberStream(connect, settings, audience, archived=True, clock=clock),
                    UnsubscribeStream(connect, settings, audience, clock=clock)]
    return streams + _campaign_streams(client, connect, settings, lookback, clock)


@contextmanager
def open_mailchimp_streams(config: ClientConfig,
                           connections: Connections) -> Iterator[list[Stream]]:
    """The client's Mailchimp streams over one client (closed on exit); none unconfigured.

    Opening lists the campaign reports of the activity window (one request per 500).
    """
    settings = config.sources.mailchimp
    if settings is None:
        yield []
        return
    lookback = timedelta(seconds=config.sync.lookback_seconds)
    with MailchimpClient(settings, transport=connections.mailchimp) as client:
        yield _streams(client, lambda: nullcontext(client), settings, lookback, _now)
