"""Matomo visits as SuitePulse keeps them: ids, keys, times and counts, no personal details.

``parse_visit`` reads one entry of ``Live.getLastVisitsDetails`` (format=JSON; numbers often
arrive as strings). It keeps the site, the visit id, ``userId`` (the strong key),
``visitorId`` (a weak key), the first and last action times, the counts of pageviews and
events, the goals converted (name, revenue) and the e-commerce orders (orderId, revenue).
The IP address, the fingerprint and URLs are kept only when ``keep`` names them.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

__all__ = ["Goal", "Order", "Visit", "parse_visit"]

_PAGEVIEW_TYPES = frozenset({"action"})


@dataclass(frozen=True)
class Goal:
    """One goal conversion of a visit."""

    goal_id: str
    name: str
    revenue: float
    at: datetime


@dataclass(frozen=True)
class Order:
    """One e-commerce order of a visit (Matomo records an orderId once per site)."""

    order_id: str
    revenue: float
    at: datetime


@dataclass(frozen=True)
class Visit:
    """One visit of one site, as kept."""

    site_id: int
    visit_id: str
    user_id: str | None
    visitor_id: str | None
    first_action_at: datetime
    last_action_at: datetime
    pageviews: int
    events: int
    goals: tuple[Goal, ...] = ()
    orders: tuple[Order, ...] = ()
    currency: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    """Only what the config asked to keep: ``ip``, ``fingerprint``, ``urls``."""


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _number(value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return 0.0
    return number if number == number and abs(number) != float("inf") else 0.0


def _moment(value: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(value), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def parse_visit(entry: Mapping[str, Any], *, site_id: int,
                keep: Collection[str] = ()) -> Visit | None:
    """The kept form of one visit; None when it lacks its id or its action times."""
    visit_id = _text(entry.get("idVisit"))
    last = _moment(entry.get("lastActionTimestamp") or entry.get("serverTimestamp"))
    first = _moment(entry.get("firstActionTimestamp")) or last
    if visit_id is None or last is None or first is None:
        return None
    actions = entry.get("actionDetails")
    steps = [step for step in actions if isinstance(step, Mapping)] \
        if isinstance(actions, list) else []
    goals, orders = [], []
    for step in steps:
        at = _moment(step.get("timestamp")) or last
        if step.get("type") == "goal":
            goals.append(Goal(_text(step.get("goalId")) or "?",
                              _text(step.get("goalName")) or "", _number(step.get("revenue")), at))
        elif step.get("type") == "ecommerceOrder" and _text(step.get("orderId")):
            orders.append(Order(str(_text(step.get("orderId"))), _number(step.get("revenue")),
                                at))
    pageviews = sum(1 for step in steps if step.get("type") in _PAGEVIEW_TYPES)
    if not steps:
        pageviews = int(_number(entry.get("actions")))
    details: dict[str, Any] = {}
    if "ip" in keep and entry.get("visitIp"):
        details["ip"] = str(entry["visitIp"])
    if "fingerprint" in keep and entry.get("fingerprint"):
        details["fingerprint"] = str(entry["fingerprint"])
    if "urls" in keep:
        details["urls"] = [str(step["url"]) for step in steps if step.get("url")]
    return Visit(
        site_id=site_id, visit_id=visit_id, user_id=_text(entry.get("userId")),
        visitor_id=_text(entry.get("visitorId")), first_action_at=first, last_action_at=last,
        pageviews=pageviews,
        events=sum(1 for step in steps if step.get("type") == "event"),
        goals=tuple(goals), orders=tuple(orders), currency=_text(entry.get("siteCurrency")),
        details=details)
