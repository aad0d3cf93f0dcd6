"""Fixtures of the sync tests: a client config, a fake CRM and the client's store."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from sync.config import ClientConfig
from sync.store import Store
from sync.store.schema import RECORDS
from tests.fake_crm import FakeCRM

MakeConfig = Callable[..., ClientConfig]


@pytest.fixture
def make_config(tmp_path: Path) -> MakeConfig:
    """A client config whose store is a SQLite file in the test's folder."""

    def make(**overrides: Any) -> ClientConfig:
        data: dict[str, Any] = {
            "client": "acme",
            "suitecrm": {"base_url": "https://crm.example.com", "client_id": "x",
                         "client_secret": "s", "page_size": 10},
            "sync": {"modules": ["Contacts"], "lookback_seconds": 120},
            "enrichment": {"customer_entity": "Contacts",
                           "purchases": {"module": "Opportunities",
                                         "customer_field": "contact_id"}},
            "store": {"url": f"sqlite:///{tmp_path / 'store' / 'acme.sqlite3'}"},
        }
        for key, value in overrides.items():
            data[key] = {**data.get(key, {}), **value} if isinstance(value, dict) else value
        return ClientConfig.model_validate(data)

    return make


@pytest.fixture
def crm() -> FakeCRM:
    """An empty fake SuiteCRM."""
    return FakeCRM()


@pytest.fixture
def store(make_config: MakeConfig) -> Iterator[Store]:
    """The store of the default config."""
    with Store.for_config(make_config()) as opened:
        yield opened


def stored(store: Store, module: str) -> dict[str, tuple[str, bool]]:
    """id -> (attributes JSON, deleted) of the module's records in the store."""
    with store.transaction() as connection:
        rows = connection.execute(select(RECORDS.c.id, RECORDS.c.attributes,
                                         RECORDS.c.deleted).where(RECORDS.c.module == module))
        return {row.id: (row.attributes, row.deleted) for row in rows}


def live_ids(crm: FakeCRM, module: str) -> set[str]:
    """The ids the CRM lists now."""
    return set(crm.live(module))
