"""A sync killed with SIGKILL at any moment, then run again, ends with the same store as a run
that was never interrupted."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.exc import OperationalError

from sync.config import ClientConfig
from sync.pull import sync_client
from sync.store import Store
from sync.store.schema import RECORDS
from tests.fake_crm import FakeCRM
from tests.unit.sync.conftest import stored

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
RUN = """
import sys, time
from tests.e2e.test_sigkill_resume import config, world
from sync.pull import sync_client
crm = world()
crm.before_request = lambda _crm: time.sleep(0.03)
sync_client(config(sys.argv[1]), connections=crm.connections())
"""


def config(url: str) -> ClientConfig:
    return ClientConfig.model_validate({
        "client": "acme", "suitecrm": {"base_url": "http://127.0.0.1:1", "client_id": "x",
                                       "client_secret": "s", "page_size": 25},
        "sync": {"modules": ["Contacts", "Accounts"]},
        "enrichment": {"customer_entity": "Contacts", "purchases": {"module": "Accounts"}},
        "store": {"url": url}, "privacy": {"key": "sigkill-test-key-0001"}})


def world() -> FakeCRM:
    crm = FakeCRM(seed=11)
    for number in range(300):
        crm.add("Contacts", name=f"c{number}", email1=f"c{number}@example.com")
        crm.add("Accounts", name=f"a{number}")
        crm.clock.advance(4)
    return crm


def _count(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(select(func.count()).select_from(RECORDS)).scalar()
                       or 0)
    except OperationalError:
        return 0
    finally:
        engine.dispose()


def test_sigkill_at_several_points_then_rerun_equals_uninterrupted(tmp_path: Path) -> None:
    reference_url = f"sqlite:///{tmp_path / 'reference.sqlite3'}"
    with Store(reference_url) as reference:
        sync_client(config(reference_url), store=reference, connections=world().connections())
    url = f"sqlite:///{tmp_path / 'killed.sqlite3'}"
    for kill_after in (60, 250, 420):
        process = subprocess.Popen([sys.executable, "-c", RUN, url], cwd=ROOT,
                                   env={**os.environ, "PYTHONPATH": str(ROOT)})
        deadline = time.monotonic() + 60
        while _count(url) < kill_after and process.poll() is None:
            assert time.monotonic() < deadline, "the run made no progress"
            time.sleep(0.01)
        assert process.poll() is None, "the run ended before it could be killed"
        process.send_signal(signal.SIGKILL)
        process.wait()
    with Store(url) as killed:
        sync_client(config(url), store=killed, connections=world().connections())
        with Store(reference_url) as reference:
            for module in ("Contacts", "Accounts"):
                assert stored(killed, module) == stored(reference, module)
                assert len(stored(killed, module)) == 300
