"""Two ``suitepulse schedule`` processes on one PostgreSQL store run each tick once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select

from sync.store import Store
from sync.store.schema import TICKS
from tests.pg import throwaway_database

pytestmark = pytest.mark.e2e

CLIENT = """\
client: acme
suitecrm:
  base_url: http://127.0.0.1:9
  client_id: x
  client_secret: ${{ACME_SECRET:-s}}
  http: {{max_retries: 0, connect_timeout: 1}}
store:
  url: {url}
schedule:
  cron: "* * * * *"
  timezone: Europe/Berlin
"""


def _wait_for_second(second: int) -> None:
    now = datetime.now(UTC)
    wait = (second - now.second - now.microsecond / 1e6) % 60
    time.sleep(wait)


def test_two_schedulers_run_a_tick_exactly_once(tmp_path: Path) -> None:
    with throwaway_database() as url:
        Store(url).close()
        clients = tmp_path / "clients"
        clients.mkdir()
        (clients / "acme.yaml").write_text(CLIENT.format(url=url))
        _wait_for_second(50)  # start just before a minute's tick
        processes = []
        for machine in ("one", "two"):
            env = {**os.environ, "SUITEPULSE_CONFIG_DIR": str(clients),
                   "SUITEPULSE_DATA_DIR": str(tmp_path / machine)}
            processes.append(subprocess.Popen(
                [str(Path(sys.executable).parent / "suitepulse"), "-v", "schedule"], env=env,
                stderr=subprocess.PIPE, text=True))
        _wait_for_second(8)  # the tick at :00 has been run
        for process in processes:
            process.send_signal(signal.SIGTERM)
        outputs = [process.communicate(timeout=60)[1] for process in processes]
        assert [p.returncode for p in processes] == [0, 0], outputs
        engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
        with engine.connect() as connection:
            ticks = connection.execute(select(TICKS.c.job, TICKS.c.claimed_by)).all()
        engine.dispose()
        assert [job for job, _ in ticks] == ["sync:acme"], outputs
        assert sum("already run by another scheduler" in out for out in outputs) == 1, outputs
