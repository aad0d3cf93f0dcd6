"""What the write-back crash tests share: a sandbox with mapped fields, a client file for it,
the CRM's mapped values, the ``writes`` rows, and ``suitepulse`` run as a process.

A run is "clean" when the CRM's mapped fields equal those of a sandbox of the same seed that
one uninterrupted ``run`` wrote to; ``writes`` is exact when every value the CRM holds from us
has exactly one ``written`` row and no row is left pending.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import create_engine, func, select

from connectors.suitecrm import SuiteCRMClient
from sandbox import RunningSandbox, running_sandbox
from sync.store.schema import RUNS, WRITES
from tests.e2e.sandbox_sync import SECRET_ENV, write_client_file

__all__ = ["FIELDS", "SUITEPULSE", "CrmView", "client_env", "count_writes", "crm_view",
           "last_seq", "mapped_sandbox", "run_outcomes", "start", "wait_for_writes", "write_rows",
           "writeback_client"]

SUITEPULSE = str(Path(sys.executable).parent / "suitepulse")
STAGES = ["reach", "engagement", "purchase", "retention", "loyalty", "decline", "lapsed"]
FIELDS = ("sp_stage_c", "sp_aov_c")
CUSTOMERS = 60
ANCHOR = date(2026, 11, 30)

CrmView = dict[str, tuple[object, ...]]


@contextmanager
def mapped_sandbox(seed: int = 5) -> Iterator[RunningSandbox]:
    """A sandbox of ``CUSTOMERS`` contacts with the two mapped custom fields."""
    with running_sandbox(customers=CUSTOMERS, seed=seed, anchor=ANCHOR) as sb:
        sb.add_custom_field("Contacts", "sp_stage_c", "enum", length=100)
        sb.add_custom_field("Contacts", "sp_aov_c", "decimal", length=18, precision=2)
        yield sb


def writeback_client(folder: Path, sb: RunningSandbox, store_url: str, *,
                     http: dict[str, Any] | None = None, **sync: Any) -> Path:
    """``folder/acme.yaml``: sync, enrich and write lifecycle stage and average order value
    back (traits that do not move with the time of day, so two runs compute the same)."""
    path = write_client_file(folder, sb, store_url, page_size=50, **sync)
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    document["suitecrm"]["http"] = {**document["suitecrm"]["http"], **(http or {})}
    document["writeback"] = {"read_page_size": 25, "fields": {
        "lifecycle_stage": {"field": "Contacts.sp_stage_c", "type": "enum", "options": STAGES},
        "avg_order_value": {"field": "Contacts.sp_aov_c", "type": "decimal", "precision": 2}}}
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def crm_view(sb: RunningSandbox) -> CrmView:
    """id -> the mapped fields' values, of every contact."""
    with SuiteCRMClient(sb.suitecrm_settings()) as client:
        return {record.id: tuple(str(record.attributes.get(f)) for f in FIELDS)
                for page in client.iter_pages("Contacts", fields=list(FIELDS), sort="id",
                                              page_size=200)
                for record in page}


def write_rows(url: str) -> list[tuple[str, str, str, str]]:
    """(run id, record id, field, state) of every row of ``writes``, in order."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return [(r.run_id, r.record_id, r.field, r.state) for r in connection.execute(
                select(WRITES).order_by(WRITES.c.seq))]
    finally:
        engine.dispose()


def count_writes(url: str, after: int = 0) -> int:
    """Rows of ``writes`` after row ``after`` whose answer came (0 while there is no store)."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(select(func.count()).select_from(WRITES).where(
                WRITES.c.state != "pending", WRITES.c.seq > after)).scalar() or 0)
    except Exception:  # the store is being created by the process under test
        return 0
    finally:
        engine.dispose()


def run_outcomes(url: str) -> Counter[str]:
    """How many runs of the history ended each way."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return Counter(connection.execute(select(RUNS.c.outcome)).scalars())
    finally:
        engine.dispose()


def client_env(clients: Path, sb: RunningSandbox, data: Path) -> dict[str, str]:
    """The environment of a ``suitepulse`` process for this client folder."""
    return {**os.environ, "SUITEPULSE_CONFIG_DIR": str(clients),
            "SUITEPULSE_DATA_DIR": str(data), SECRET_ENV: sb.client_secret}


def start(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    """``suitepulse ARGS`` as a process (stdout and stderr kept)."""
    return subprocess.Popen([SUITEPULSE, *args], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def last_seq(url: str) -> int:
    """The newest row of ``writes`` (0 when there is none, or no store yet)."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(select(func.max(WRITES.c.seq))).scalar() or 0)
    except Exception:  # no store yet
        return 0
    finally:
        engine.dispose()


def wait_for_writes(process: subprocess.Popen[str], url: str, rows: int, *, after: int = 0,
                    timeout: float = 90) -> int:
    """Wait until ``rows`` rows after row ``after`` are answered while ``process`` runs."""
    deadline = time.monotonic() + timeout
    while (count := count_writes(url, after)) < rows:
        if process.poll() is not None:
            raise AssertionError(f"the process ended before {rows} writes: "
                                 f"{process.communicate()[1][-3000:]}")
        if time.monotonic() > deadline:
            raise AssertionError(f"no {rows} writes after {timeout} s")
        time.sleep(0.005)
    return count
