"""The day clock: the moment a run's traits are computed for, so that time alone changes
them at most once a day (or once an hour).

Every time-derived trait (T, recency, days since the last purchase, P(alive), expected
purchases, CLV, churn risk, lifecycle timers) is computed as of this moment, never as of the
second the run started: two runs on the same day with the same data give the same traits.
Data stamped after it (today's purchase, today's unsubscribe) counts at once, as if made at
this moment (``enrichment.compute.enrich_customers``' ``data_until``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from enrichment.settings import AsOf

__all__ = ["observation_end"]


def observation_end(now: datetime, timezone: str, rule: AsOf) -> datetime:
    """The start of ``now``'s day (or hour) in ``timezone``, as an aware UTC datetime."""
    if now.tzinfo is None:
        raise ValueError("observation_end needs an aware datetime")
    local = now.astimezone(ZoneInfo(timezone))
    start = local.replace(minute=0, second=0, microsecond=0)
    if rule is AsOf.DAY:
        # midnight of the local calendar day; built from the date so DST days come out right
        start = datetime(local.year, local.month, local.day, tzinfo=ZoneInfo(timezone))
    return start.astimezone(UTC)
