"""``suitepulse sync`` killed with SIGKILL mid-run against a sandbox, then run again, ends
with the same store as a run that was never interrupted.

The sandbox runs in this test's process; only the ``suitepulse sync`` process is killed.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox import RunningSandbox, running_sandbox
from sync.pull import sync_client
from sync.store import Store
from tests.e2e.sandbox_sync import (
    FIELDS,
    SECRET_ENV,
    client_config,
    sandbox_view,
    store_view,
    write_client_file,
)
from tests.e2e.test_sigkill_resume import _count

pytestmark = pytest.mark.e2e

SUITEPULSE = str(Path(sys.executable).parent / "suitepulse")


@pytest.fixture
def sb(monkeypatch: pytest.MonkeyPatch) -> Iterator[RunningSandbox]:
    with running_sandbox(customers=150, seed=6) as running:
        monkeypatch.setenv(SECRET_ENV, running.client_secret)
        yield running


def _sync_process(clients: Path, data: Path, sb: RunningSandbox) -> subprocess.Popen[str]:
    env = {**os.environ, "SUITEPULSE_CONFIG_DIR": str(clients),
           "SUITEPULSE_DATA_DIR": str(data)}
    return subprocess.Popen([SUITEPULSE, "sync", "acme", "--json"], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_sync_killed_at_several_points_then_rerun_equals_uninterrupted(
        sb: RunningSandbox, tmp_path: Path) -> None:
    reference_url = f"sqlite:///{tmp_path / 'reference.sqlite3'}"
    reference = write_client_file(tmp_path / "reference", sb, reference_url, page_size=20)
    sync_client(client_config(reference))
    total = _count(reference_url)

    url = f"sqlite:///{tmp_path / 'killed.sqlite3'}"
    clients = tmp_path / "clients"
    write_client_file(clients, sb, url, page_size=20)
    sb.faults.latency_ms = 10  # a run of several seconds, so it can be killed mid-way
    killed_at = []
    for share in (0.2, 0.7):
        process = _sync_process(clients, tmp_path / "data", sb)
        deadline = time.monotonic() + 60
        while _count(url) < share * total and process.poll() is None:
            assert time.monotonic() < deadline, "the run made no progress"
            time.sleep(0.01)
        assert process.poll() is None, f"the run ended before it could be killed: " \
                                       f"{process.communicate()[1][-2000:]}"
        process.send_signal(signal.SIGKILL)
        process.communicate()
        killed_at.append(_count(url))
    assert killed_at == sorted(killed_at) and killed_at[-1] < total

    sb.faults.latency_ms = 0
    final = _sync_process(clients, tmp_path / "data", sb)
    stdout, stderr = final.communicate(timeout=120)
    assert final.returncode == 0, stderr[-2000:]
    assert json.loads(stdout)["outcome"] == "ok"
    with Store(url) as resumed, Store(reference_url) as expected:
        for module in FIELDS:
            assert store_view(resumed, module) == store_view(expected, module), module
            assert store_view(resumed, module) == sandbox_view(client_config(reference), module)
            assert not store_view(resumed, module, deleted=True)
