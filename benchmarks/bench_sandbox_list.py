"""Benchmark: generate a sandbox with many contacts, then list all of them over HTTP.

    python benchmarks/bench_sandbox_list.py [--customers 100000] [--page-size 200]
                                            [--same-process]

Prints the generation time, the listing time and records per second. The data are generated
into a SQLite file first; then the server runs as ``suitepulse sandbox serve`` in its own
process (``--same-process``: ``running_sandbox`` in a thread of this process, sharing the GIL
with the client, as the e2e tests do). The listing uses sparse fields and page[number] paging,
as a sync does, through ``connectors.suitecrm.SuiteCRMClient``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from connectors.suitecrm import ApiLayout, SuiteCRMClient, SuiteCRMSettings
from sandbox import SandboxSettings, create_app, sandbox_state
from sandbox.server import free_port, running_sandbox

FIELDS = ["first_name", "last_name", "email1", "birthdate", "primary_address_city",
          "primary_address_country", "lead_source", "date_modified", "account_id"]


def list_all(base_url: str, settings: SandboxSettings, page_size: int) -> int:
    """Every contact through SuiteCRMClient; returns how many distinct ids came back."""
    connector = SuiteCRMSettings(
        base_url=base_url, api_layout=ApiLayout.V7, client_id=settings.client_id,
        client_secret=settings.client_secret, page_size=page_size)
    seen: set[str] = set()
    with SuiteCRMClient(connector) as client:
        for page in client.iter_pages("Contacts", fields=FIELDS):
            seen.update(record.id for record in page)
    return len(seen)


@contextmanager
def _server_process(db_path: Path) -> Iterator[str]:
    port = free_port("127.0.0.1")
    command = [sys.executable, "-c", "from cli.main import main; main()", "-q", "sandbox",
               "serve", "--port", str(port), "--db", str(db_path), "--json"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                httpx.get(f"{base_url}/sandbox/info", timeout=1)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the sandbox server did not start") from None
                time.sleep(0.2)
        yield base_url
    finally:
        process.terminate()
        process.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--page-size", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--same-process", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db_path = Path(folder) / "bench.sqlite3"
        settings = SandboxSettings(customers=args.customers, seed=args.seed, db_path=db_path)
        app = create_app(settings)
        report = app.state.generation
        sandbox_state(app).store.close()
        print(f"generation: {args.customers} customers in {report.seconds:.1f} s")
        print(f"rows: {report.counts}")
        started = time.perf_counter()
        if args.same_process:
            with running_sandbox(db_path=db_path, seed=args.seed) as sb:
                started = time.perf_counter()
                count = list_all(sb.base_url, settings, args.page_size)
        else:
            with _server_process(db_path) as base_url:
                started = time.perf_counter()
                count = list_all(base_url, settings, args.page_size)
        seconds = time.perf_counter() - started
    where = "same process" if args.same_process else "server in its own process"
    print(f"listing through SuiteCRMClient ({where}): {count} contacts, "
          f"page size {args.page_size}, sparse fields, in {seconds:.1f} s = "
          f"{count / seconds:,.0f} records/s")


if __name__ == "__main__":
    main()
