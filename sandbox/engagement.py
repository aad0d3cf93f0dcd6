"""Synthetic engagement: e-mail messages, newsletter campaign activity and web visits.

Each person gets an engagement level (beta distributed); buyers are more engaged, and people
who dropped out of buying fade after they did, so engagement carries churn signal too.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sandbox.day_clock import DayClock
from sandbox.storage import Store

__all__ = ["Engagement", "generate_engagement"]

_CAMPAIGNS = 12
_SUBJECTS = ["Quote request", "Order question", "Re: your invoice", "Meeting next week",
             "Product feedback", "Delivery date", "Support follow-up", "Renewal"]
_PAGES = ["/", "/pricing", "/products", "/products/pro", "/blog", "/blog/tips", "/contact",
          "/account", "/account/orders", "/support"]

Person = tuple[dict[str, Any], float, float | None, bool]


@dataclass
class Engagement:
    """Row counts of the engagement tables."""

    counts: dict[str, int] = field(default_factory=dict)


def _level(rng: random.Random, buyer: bool) -> float:
    return rng.betavariate(2.0, 4.0) * (1.4 if buyer else 0.8)


def _fade(day: float, dropped: float | None) -> float:
    if dropped is None or day < dropped:
        return 1.0
    return 0.25


def generate_engagement(store: Store, rng: random.Random, people: Sequence[Person],
                        clock: DayClock, end: float, new_id: Callable[[], str]) -> Engagement:
    """Fill the campaign, e-mail and web visit tables."""
    stamp = clock.stamp

    campaigns = [(new_id(), f"Newsletter {stamp(end - 30 * (n + 1))[:7]}", end - 30 * (n + 1)
                  + 0.4) for n in reversed(range(_CAMPAIGNS))]
    activity: list[tuple[Any, ...]] = []
    messages: list[tuple[Any, ...]] = []
    visits: list[tuple[Any, ...]] = []
    for person, entered, dropped, buyer in people:
        level = _level(rng, buyer)
        email = person["email"]
        if not person["opt_out"] and rng.random() < 0.75:
            for campaign_id, _name, sent in campaigns:
                if sent < entered or rng.random() > level * _fade(sent, dropped):
                    continue
                opened = sent + rng.expovariate(2.0)
                activity.append((campaign_id, person["id"], email, "open", stamp(opened), None))
                if rng.random() < 0.3:
                    activity.append((campaign_id, person["id"], email, "click",
                                     stamp(opened + 0.01), "https://www.example.com/offer"))
        for _ in range(int(rng.expovariate(1.0 / (level * 3 + 0.01)))):
            day = rng.uniform(max(entered, end - 365), end)
            if rng.random() > _fade(day, dropped):
                continue
            messages.append((new_id(), person["id"], email,
                             rng.choice(["inbound", "outbound"]), rng.choice(_SUBJECTS),
                             stamp(day)))
        visitor = hashlib.sha1(person["id"].encode()).hexdigest()[:16]
        for _ in range(int(rng.expovariate(1.0 / (level * 4 + 0.01)))):
            day = rng.uniform(max(entered, end - 180), end)
            if rng.random() > _fade(day, dropped):
                continue
            pages = rng.sample(_PAGES, rng.randint(1, 4))
            logged_in = rng.random() < 0.7
            visits.append((None, person["id"] if logged_in else None,
                           email if logged_in else None, visitor, stamp(day),
                           rng.randint(5, 900), json.dumps(pages),
                           rng.choice(["direct", "search", "website", "campaign"])))
    for _ in range(len(people) // 10):
        day = rng.uniform(end - 180, end)
        visits.append((None, None, None, f"{rng.getrandbits(64):016x}", stamp(day),
                       rng.randint(5, 300), json.dumps(rng.sample(_PAGES, 1)), "search"))
    visits.sort(key=lambda v: v[4])
    with store.transaction():
        store.executemany("INSERT INTO sandbox_campaigns VALUES (?, ?, ?)",
                          [(c, n, stamp(s)) for c, n, s in campaigns])
        store.executemany("INSERT INTO sandbox_campaign_activity VALUES (?,?,?,?,?,?)", activity)
        store.executemany("INSERT INTO sandbox_email_messages VALUES (?,?,?,?,?,?)", messages)
        store.executemany("INSERT INTO sandbox_web_visits VALUES (?,?,?,?,?,?,?,?)", visits)
    return Engagement({"campaigns": len(campaigns), "campaign_activity": len(activity),
                       "email_messages": len(messages), "web_visits": len(visits)})
