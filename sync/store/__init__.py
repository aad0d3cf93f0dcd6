"""The state store: records, cursors, identities, interactions, traits, writes and runs.

SQLAlchemy 2 Core over a SQLite file per client (the default) or PostgreSQL. Every
statement on the store's tables is written in this package; the rest of SuitePulse calls its
functions with a ``Connection`` from ``Store.transaction()``.
"""

from __future__ import annotations

from sqlalchemy import Connection

from sync.store.database import Store
from sync.store.lock import RunLock
from sync.store.migrations import LATEST_VERSION
from sync.store.records import PageCounts

__all__ = ["LATEST_VERSION", "Connection", "PageCounts", "RunLock", "Store"]
