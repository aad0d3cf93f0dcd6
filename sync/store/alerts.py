"""When each kind of alert was last sent, so a repeated condition alerts once per period."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, insert, select, update

from sync.store.schema import ALERTS_SENT

__all__ = ["claim_alert"]


def claim_alert(connection: Connection, kind: str, *, now: datetime, period: timedelta) -> bool:
    """True (and ``now`` noted as sent) unless an alert of ``kind`` went out within ``period``."""
    sent = connection.execute(select(ALERTS_SENT.c.sent_at).where(
        ALERTS_SENT.c.kind == kind)).scalar()
    if sent is not None and now - sent <= period:
        return False
    if sent is None:
        connection.execute(insert(ALERTS_SENT).values(kind=kind, sent_at=now))
    else:
        connection.execute(update(ALERTS_SENT).where(ALERTS_SENT.c.kind == kind).values(
            sent_at=now))
    return True
