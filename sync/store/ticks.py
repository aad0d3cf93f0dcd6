"""Scheduler ticks: each (job, scheduled time) is claimed by exactly one scheduler process."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from sync.store.database import Store
from sync.store.schema import TICKS
from sync.store.types import utc_now

__all__ = ["claim_tick"]


def claim_tick(store: Store, job: str, scheduled_at: datetime, *, owner: str) -> bool:
    """Claim the tick of ``job`` at ``scheduled_at`` for ``owner``; False when already taken."""
    try:
        with store.transaction() as connection:
            connection.execute(insert(TICKS).values(job=job, scheduled_at=scheduled_at,
                                                    claimed_by=owner, claimed_at=utc_now()))
    except IntegrityError:
        return False
    return True
