"""Matomo visits as interaction streams: one stream per site, channel ``web``.

Invariants:

* Each visit gives one ``visit`` record (id ``SITE:IDVISIT``), one ``goal`` record per goal
  conversion and one ``order`` record per e-commerce order (id ``order:ORDERID``, so an order
  counts once however often it is read). All records of a visit carry the visit's last
  action time as cursor, so pages never go back: Matomo sorts by last action time.
* A visit that gets later actions is read again with its new last action time and upserted
  on (site, idVisit); within a page only its latest state is kept.
* A read starts ``overlap_seconds`` (1 h) before ``since`` (late tracking data), and the
  first read of each site-local day starts ``reread_days`` (2) back; without ``since`` it
  starts ``history_days`` back. The searched range is the start's day to today, both in the
  site's timezone (read from Matomo), so no visit of those days is outside it.
* Each ``read`` opens its own HTTP client and closes it when the read ends.
* Personal details (IP, fingerprint, URLs) appear only when ``keep`` names them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any

import httpx

from connectors.analytics.matomo import MatomoClient
from connectors.analytics.settings import MatomoSettings
from connectors.analytics.visits import Visit
from sync.store.types import utc_now
from sync.streams.connections import Connections
from sync.streams.contract import Stream
from sync.streams.cursor import CursorValue

if TYPE_CHECKING:
    from sync.config import ClientConfig

__all__ = ["MatomoVisitsStream", "matomo_streams", "open_matomo_streams", "visit_rows"]


def visit_rows(visit: Visit) -> list[dict[str, Any]]:
    """The interaction records of one visit: the visit, its goals, its orders.

    ``detail`` holds what is kept besides the key, the times and the amount.
    """
    base = {"last_action_at": visit.last_action_at, "matomo_user_id": visit.user_id}
    about = {"site_id": visit.site_id, "visit_id": visit.visit_id,
             "visitor_id": visit.visitor_id}
    rows: list[dict[str, Any]] = [{
        **base, "id": f"{visit.site_id}:{visit.visit_id}", "kind": "visit",
        "occurred_at": visit.first_action_at, "detail": {
            **about, "pageviews": visit.pageviews, "events": visit.events,
            "goals": len(visit.goals), "orders": len(visit.orders), **visit.details}}]
    rows.extend({
        **base, "id": f"{visit.site_id}:{visit.visit_id}:goal:{goal.goal_id}:"
                      f"{int(goal.at.timestamp())}",
        "kind": "goal", "occurred_at": goal.at, "amount": goal.revenue,
        "currency": visit.currency, "detail": {**about, "goal": goal.name}}
        for goal in visit.goals)
    rows.extend({
        **base, "id": f"order:{order.order_id}", "kind": "order", "occurred_at": order.at,
        "amount": order.revenue, "currency": visit.currency,
        "detail": {**about, "order_id": order.order_id}} for order in visit.orders)
    return rows


class MatomoVisitsStream:
    """The visits (with goals and orders) of one Matomo site."""

    channel = "web"
    primary_key = "id"
    cursor_field = "last_action_at"

    def __init__(self, settings: MatomoSettings, site_id: int, *,
                 transport: httpx.BaseTransport | None = None,
                 now: Callable[[], datetime] = utc_now) -> None:
        self.settings = settings
        self.site_id = site_id
        self.name = f"matomo_visits_{site_id}"
        self._transport = transport
        self._now = now

    def start(self, since: datetime | None, zone: tzinfo) -> datetime:
        """Where a read from ``since`` begins (see the module's invariants)."""
        now = self._now()
        if since is None:
            return now - timedelta(days=self.settings.history_days)
        start = since - timedelta(seconds=self.settings.overlap_seconds)
        if since.astimezone(zone).date() < now.astimezone(zone).date():
            start = min(start, now - timedelta(days=self.settings.reread_days))
        return start

    def read(self, since: CursorValue | None) -> Iterator[list[dict[str, Any]]]:
        """Pages of interaction records in last-action order."""
        if since is not None and not isinstance(since, datetime):
            raise TypeError(f"{self.name} takes a datetime cursor, not {type(since).__name__}")
        with MatomoClient(self.settings, transport=self._transport) as client:
            site = client.site(self.site_id)
            start = self.start(since, site.timezone)
            today = self._now().astimezone(site.timezone).date()
            after = math.floor(start.timestamp()) - 1  # Matomo keeps last actions > after
            for page in client.visit_pages(self.site_id, after=after,
                                           first_day=start.astimezone(site.timezone).date(),
                                           last_day=today):
                latest: dict[str, Visit] = {}
                for visit in page:
                    known = latest.get(visit.visit_id)
                    if known is None or visit.last_action_at >= known.last_action_at:
                        latest[visit.visit_id] = visit
                ordered = sorted(latest.values(), key=lambda v: v.last_action_at)
                yield [row for visit in ordered for row in visit_rows(visit)]


def matomo_streams(config: ClientConfig, *,
                   transport: httpx.BaseTransport | None = None) -> list[Stream]:
    """One visits stream per configured Matomo site (none without ``sources.matomo``)."""
    settings = config.sources.matomo
    if settings is None:
        return []
    return [MatomoVisitsStream(settings, site, transport=transport) for site in settings.sites]


@contextmanager
def open_matomo_streams(config: ClientConfig, connections: Connections) -> Iterator[list[Stream]]:
    """The ``SourceOpener`` of ``sources.matomo``; each stream's read closes its own client."""
    yield matomo_streams(config, transport=connections.matomo)
