"""The state store on a real PostgreSQL server."""

from __future__ import annotations

import pytest

from sync.errors import StateError
from sync.store import LATEST_VERSION, Store
from tests.pg import throwaway_database

pytestmark = pytest.mark.e2e


def test_postgresql_store_upgrades_and_locks_with_advisory_locks() -> None:
    with throwaway_database() as url, Store(url) as store:
        assert store.dialect == "postgresql"
        assert store.schema_version == LATEST_VERSION
        with Store(url) as second, store.lock("run:acme"), \
                pytest.raises(StateError, match="in progress"):
            second.lock("run:acme").acquire()
        with Store(url) as second, second.lock("run:acme"):
            pass  # released by the first holder: free again
