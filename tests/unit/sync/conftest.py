"""Fixtures of the sync tests: a client config, a fake CRM and the client's store."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from sync.config import ClientConfig
from sync.store import Store
from sync.store.schema import RECORDS
from tests.fake_crm import FakeCRM

MakeConfig = Callable[..., ClientConfig]
SECRET = "hook-token-5d1e"
"""The token in the path of the test webhook's URL."""


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


@pytest.fixture
def webhook() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A webhook receiver on loopback: its URL (with SECRET in the path), the JSON it got;
    paths outside ``/hooks/`` answer 404."""
    received: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            if not self.path.startswith("/hooks/"):
                self.send_response(404)
                self.end_headers()
                return
            length = int(self.headers["Content-Length"])
            received.append(json.loads(self.rfile.read(length)))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hooks/{SECRET}", received
    server.shutdown()


@pytest.fixture
def smtp_server() -> Iterator[tuple[int, list[Any]]]:
    """An aiosmtpd server on loopback: its port, and the envelopes it got."""
    messages: list[Any] = []

    class Handler:
        async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
            messages.append(envelope)
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    yield port, messages
    controller.stop()
