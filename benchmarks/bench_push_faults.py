"""Push under each sandbox fault, against a clean push of the same data.

For every fault a fresh sandbox of the same seed is served on loopback, ``suitepulse sync``
fills the store, then ``suitepulse push --json`` runs as a process with the fault on; when
it does not finish (exit 1: retries ran out, writes not applied), the fault is turned off
and ``suitepulse push`` runs again to finish. It prints, per fault: exit codes, API requests
by method, wall time, records written, and the checks that matter after it: the CRM equals a
clean push's, no ``writes`` row is pending and no value has two ``written`` rows.

    python benchmarks/bench_push_faults.py [--customers 1000] [--rate 0.3]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sandbox import RunningSandbox, running_sandbox
from tests.e2e.writeback_world import (
    SUITEPULSE,
    CrmView,
    client_env,
    crm_view,
    write_rows,
    writeback_client,
)

ANCHOR = date(2026, 11, 30)


@dataclass
class Outcome:
    """One fault's figures."""

    fault: str
    exit_codes: list[int]
    requests: Counter[str]
    seconds: float
    records: int
    crm_clean: bool
    pending: int
    doubled: int


@contextmanager
def _sandbox(customers: int) -> Iterator[RunningSandbox]:
    with running_sandbox(customers=customers, seed=5, anchor=ANCHOR) as sb:
        sb.add_custom_field("Contacts", "sp_stage_c", "enum", length=100)
        sb.add_custom_field("Contacts", "sp_aov_c", "decimal", length=18, precision=2)
        yield sb


def _client(folder: Path, sb: RunningSandbox) -> tuple[dict[str, str], str]:
    url = f"sqlite:///{folder / 'store.sqlite3'}"
    path = writeback_client(folder / "clients", sb, url)
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    document["suitecrm"]["page_size"] = 200
    document["writeback"]["read_page_size"] = 200
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return client_env(folder / "clients", sb, folder / "data"), url


def _suitepulse(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([SUITEPULSE, *args], env=env, text=True, capture_output=True,
                          timeout=1800, check=False)


def _audit(url: str) -> tuple[int, int]:
    rows = write_rows(url)
    pending = sum(1 for row in rows if row[3] == "pending")
    written = Counter((row[1], row[2]) for row in rows if row[3] == "written")
    return pending, sum(1 for count in written.values() if count > 1)


def _measure(fault: str, settings: dict[str, Any], customers: int,
             clean: CrmView | None) -> tuple[Outcome, CrmView]:
    with tempfile.TemporaryDirectory() as tmp, _sandbox(customers) as sb:
        env, url = _client(Path(tmp), sb)
        synced = _suitepulse(env, "sync", "acme")
        if synced.returncode != 0:
            raise SystemExit(f"sync failed: {synced.stderr[-2000:]}")
        counts: Counter[str] = sb.app.state.request_counts
        counts.clear()
        for name, value in settings.items():
            setattr(sb.faults, name, value)
        started = time.perf_counter()
        first = _suitepulse(env, "push", "acme", "--json")
        codes = [first.returncode]
        document = json.loads(first.stdout) if first.stdout.strip() else {}
        records = int(document.get("records_changed", 0))
        for name in settings:
            if name.startswith("rate_"):
                setattr(sb.faults, name, 0.0)
        if first.returncode == 1:  # not finished: the next push finishes it
            again = _suitepulse(env, "push", "acme", "--json")
            codes.append(again.returncode)
            records += int(json.loads(again.stdout).get("records_changed", 0))
        seconds = time.perf_counter() - started
        view = crm_view(sb)
        pending, doubled = _audit(url)
        refused = set(settings.get("refuse_ids", ()))
        same = clean is None or {r: v for r, v in view.items() if r not in refused} == {
            r: v for r, v in clean.items() if r not in refused}
        return Outcome(fault, codes, Counter(counts), seconds, records, same, pending,
                       doubled), view


def _refused(clean: CrmView, count: int) -> list[str]:
    return sorted(r for r, values in clean.items() if values != ("None", "None"))[:count]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=0.3, help="share of faulted requests")
    args = parser.parse_args()
    rate = args.rate
    baseline, clean = _measure("none (clean push)", {}, args.customers, None)
    faults: list[tuple[str, dict[str, Any]]] = [
        (f"429 {rate:.0%}", {"rate_429": rate, "retry_after_s": 0, "seed": 1}),
        (f"503 {rate:.0%}", {"rate_5xx": rate, "seed": 1}),
        (f"connection dropped {rate / 3:.0%}", {"rate_drop": rate / 3, "seed": 1}),
        (f"answer lost after the write {rate:.0%}", {"rate_lost_answer": rate, "seed": 1}),
        (f"PHP warning before the JSON {rate:.0%}", {"rate_php_warning": rate, "seed": 1}),
        (f"HTML maintenance page 200 on PATCH {rate:.0%}",
         {"html_200_methods": ["PATCH"], "rate_html_200": rate, "seed": 1}),
        ("10 records refused (400)", {"refuse_ids": _refused(clean, 10)}),
    ]
    outcomes = [baseline] + [_measure(name, settings, args.customers, clean)[0]
                             for name, settings in faults]
    print(f"push of {args.customers} customers (two mapped fields), sandbox on loopback, "
          "`suitepulse push --json` as a process; a second push where the first exited 1")
    print("| fault | exit | PATCH | GET | POST | seconds | records written | CRM as clean | "
          "pending | doubled |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for o in outcomes:
        print(f"| {o.fault} | {','.join(map(str, o.exit_codes))} | {o.requests['PATCH']} | "
              f"{o.requests['GET']} | {o.requests['POST']} | {o.seconds:.1f} | {o.records} | "
              f"{'yes' if o.crm_clean else 'NO'} | {o.pending} | {o.doubled} |")


if __name__ == "__main__":
    main()
