"""Sync N contacts from a sandbox into a fresh SQLite store: records per second and peak memory.

    python benchmarks/bench_sync.py --contacts 25000 100000 [--page-size 200]

For each size the sandbox data are generated into a SQLite file, served by
``suitepulse sandbox serve`` in its own process, and synced by ``sync_client`` (through
``connectors.suitecrm.SuiteCRMClient``, sparse fields, the first run's id-only
reconciliation included) in a fresh worker process, so the peak RSS printed is that of the
syncing process alone. ``baseline`` is the worker's RSS after its imports, before the sync.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_sandbox_list import FIELDS, _server_process

from sandbox import SandboxSettings, create_app, sandbox_state


def _rss_mb() -> float:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def _peak_rss_mb() -> float:
    """VmHWM of this process's memory. Not ru_maxrss: on Linux that keeps the high-water
    mark from before exec, i.e. the RSS of the parent that forked the worker (here the
    parent that generated the sandbox data)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1e3
    raise RuntimeError("no VmHWM in /proc/self/status")


def worker(base_url: str, store_path: str, page_size: int) -> None:
    """Sync the sandbox at ``base_url`` into ``store_path``; print one JSON line of figures."""
    from sync.config import ClientConfig
    from sync.pull import sync_client

    settings = SandboxSettings()
    config = ClientConfig.model_validate({
        "client": "bench",
        "suitecrm": {"base_url": base_url, "api_layout": "7.x",
                     "client_id": settings.client_id,
                     "client_secret": settings.client_secret.get_secret_value(),
                     "page_size": page_size},
        "sync": {"modules": ["Contacts"], "fields": {"Contacts": FIELDS}},
        "enrichment": {"customer_entity": "Contacts",
                       "purchases": {"module": "Contacts", "customer_field": "id"}},
        "store": {"url": f"sqlite:///{store_path}"}})
    baseline = _rss_mb()
    began = time.perf_counter()
    summary = sync_client(config)
    seconds = time.perf_counter() - began
    peak = _peak_rss_mb()
    contacts = summary.streams["Contacts"]
    print(json.dumps({"new": contacts.new, "pages": contacts.pages, "seconds": seconds,
                      "reconciled": contacts.reconciled, "outcome": summary.outcome.value,
                      "baseline_mb": baseline, "peak_rss_mb": peak}))


def measure(count: int, page_size: int, seed: int) -> dict[str, float]:
    """Generate ``count`` customers, serve them, sync them in a worker; the worker's figures."""
    with tempfile.TemporaryDirectory() as folder:
        db_path = Path(folder) / "sandbox.sqlite3"
        app = create_app(SandboxSettings(customers=count, seed=seed, db_path=db_path))
        sandbox_state(app).store.close()
        print(f"{count:>8} customers generated in {app.state.generation.seconds:.0f} s",
              file=sys.stderr)
        with _server_process(db_path) as base_url:
            result = subprocess.run(
                [sys.executable, __file__, "--worker", base_url, str(Path(folder) / "s.db"),
                 "--page-size", str(page_size)], check=True, capture_output=True, text=True)
    figures: dict[str, float] = json.loads(result.stdout.strip().splitlines()[-1])
    if figures["new"] != count or figures["outcome"] != "ok":
        raise SystemExit(f"the sync did not store every contact: {figures}")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--contacts", type=int, nargs="+", default=[25_000, 100_000])
    parser.add_argument("--page-size", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--worker", nargs=2, metavar=("BASE_URL", "STORE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(*args.worker, args.page_size)
        return
    for count in args.contacts:
        f = measure(count, args.page_size, args.seed)
        print(f"{count:>8} contacts: {f['seconds']:6.1f} s, {count / f['seconds']:6.0f} records/s"
              f" ({f['pages']:.0f} pages of {args.page_size}, then the id-only reconciliation);"
              f" peak RSS {f['peak_rss_mb']:5.0f} MB (baseline {f['baseline_mb']:.0f} MB)",
              flush=True)


if __name__ == "__main__":
    main()
