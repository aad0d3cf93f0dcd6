"""The Mailchimp streams pass the stream conformance checks against the sandbox."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sandbox import RunningSandbox, running_sandbox
from sync.config import ClientConfig
from sync.streams.connections import Connections
from sync.streams.contract import Stream
from sync.streams.mailchimp import open_mailchimp_streams
from tests.e2e.mailchimp_sync import control, mailchimp_client
from tests.e2e.sandbox_sync import SECRET_ENV
from tests.stream_conformance import assert_conforms

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def sb() -> Iterator[RunningSandbox]:
    with running_sandbox(customers=120, seed=9) as running:
        world = control(running)
        world.bulk_import(60, at=datetime.now(UTC) - timedelta(minutes=30))
        for email in world.emails("subscribed")[:3]:
            world.set_member(email, at=datetime.now(UTC) - timedelta(minutes=20),
                             status="archived")
        yield running


@pytest.fixture
def streams(sb: RunningSandbox, clients_dir: Path, tmp_path: Path,
            monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Stream]]:
    monkeypatch.setenv(SECRET_ENV, sb.client_secret)
    config: ClientConfig = mailchimp_client(clients_dir, sb, f"sqlite:///{tmp_path / 's.db'}",
                                            page_size=25)
    with open_mailchimp_streams(config, Connections()) as opened:
        yield {stream.name.rsplit(":", 1)[1] if "campaign" not in stream.name
               else "campaign": stream for stream in opened}


@pytest.mark.parametrize("kind", ["members", "archived", "unsubscribes", "campaign"])
def test_mailchimp_streams_conform(streams: dict[str, Stream], kind: str) -> None:
    overlap = timedelta(minutes=10) if kind == "campaign" else timedelta(seconds=300)
    assert assert_conforms(streams[kind], overlap=overlap) > 0
