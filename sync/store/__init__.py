"""The state store: records, cursors, identities, interactions, traits, writes and runs.

SQLAlchemy 2 Core over a SQLite file per client (the default) or PostgreSQL.
"""

from __future__ import annotations

from sync.store.database import Store
from sync.store.lock import RunLock
from sync.store.migrations import LATEST_VERSION
from sync.store.records import PageCounts

__all__ = ["LATEST_VERSION", "PageCounts", "RunLock", "Store"]
