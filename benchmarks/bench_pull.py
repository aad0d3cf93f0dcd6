"""A first full pull: ``suitepulse sync`` as a process against a plain sequential V8 loop.

    python benchmarks/bench_pull.py [--contacts 20000] [--page-size 500] [--repeat 2]

The sandbox data are generated into a SQLite file and served by ``suitepulse sandbox serve``
in its own process. In the same run, alternately:

- the plain loop: one token request, then ``GET /Api/V8/module/Contacts`` with the same
  sparse fields, ``page[size]`` and ``page[number]`` 1, 2, ... until an empty page, decoding
  each JSON page and nothing else;
- ``suitepulse sync bench --json`` (a fresh store each time), timed as a process from start
  to exit (its start-up, the field metadata, storing every page, the deletion check).

It prints both times, records per second and their ratio, and the requests the sync sent
(from the sandbox's count) against pages + token + field metadata.
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

import httpx
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_sandbox_list import FIELDS, _server_process

from sandbox import SandboxSettings, create_app, sandbox_state

SUITEPULSE = str(Path(sys.executable).parent / "suitepulse")


def plain_loop(base_url: str, settings: SandboxSettings, page_size: int) -> tuple[int, float]:
    """(records, seconds) of the plain sequential page loop."""
    started = time.perf_counter()
    with httpx.Client(base_url=base_url, timeout=60) as http:
        token = http.post("/Api/access_token", data={
            "grant_type": "client_credentials", "client_id": settings.client_id,
            "client_secret": settings.client_secret.get_secret_value()}).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        records, number = 0, 1
        while True:
            page = http.get("/Api/V8/module/Contacts", headers=headers, params={
                "fields[Contacts]": ",".join(FIELDS), "page[size]": str(page_size),
                "page[number]": str(number)}).json()["data"]
            if not page:
                break
            records += len(page)
            number += 1
    return records, time.perf_counter() - started


def _client_folder(folder: Path, base_url: str, settings: SandboxSettings,
                   page_size: int) -> dict[str, str]:
    clients = folder / "clients"
    clients.mkdir()
    (clients / "bench.yaml").write_text(yaml.safe_dump({
        "client": "bench",
        "suitecrm": {"base_url": base_url, "api_layout": "7.x", "client_id": settings.client_id,
                     "client_secret": "${BENCH_SECRET}", "page_size": page_size},
        "sync": {"modules": ["Contacts"], "fields": {"Contacts": FIELDS}},
        "enrichment": {"customer_entity": "Contacts",
                       "purchases": {"module": "Contacts", "customer_field": "id"}},
        "store": {"url": f"sqlite:///{folder / 'store.sqlite3'}"},
    }, sort_keys=False), encoding="utf-8")
    return {**os.environ, "SUITEPULSE_CONFIG_DIR": str(clients),
            "SUITEPULSE_DATA_DIR": str(folder / "data"),
            "BENCH_SECRET": settings.client_secret.get_secret_value()}


def _requests(base_url: str) -> dict[str, int]:
    counts: dict[str, int] = httpx.get(f"{base_url}/sandbox/info").json()["requests"]
    return counts


def suitepulse_sync(base_url: str, settings: SandboxSettings,
                    page_size: int) -> tuple[dict[str, object], float, dict[str, int]]:
    """(the sync's --json document, seconds, requests it sent by method)."""
    with tempfile.TemporaryDirectory() as tmp:
        env = _client_folder(Path(tmp), base_url, settings, page_size)
        before = _requests(base_url)
        started = time.perf_counter()
        done = subprocess.run([SUITEPULSE, "sync", "bench", "--json"], env=env, text=True,
                              capture_output=True, check=False)
        seconds = time.perf_counter() - started
        after = _requests(base_url)
    if done.returncode != 0:
        raise SystemExit(f"suitepulse sync failed ({done.returncode}): {done.stderr[-2000:]}")
    sent = {method: after.get(method, 0) - before.get(method, 0) for method in after}
    document: dict[str, object] = json.loads(done.stdout)
    return document, seconds, sent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contacts", type=int, default=20_000)
    parser.add_argument("--page-size", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db_path = Path(folder) / "sandbox.sqlite3"
        settings = SandboxSettings(customers=args.contacts, seed=args.seed, db_path=db_path)
        app = create_app(settings)
        sandbox_state(app).store.close()
        loops: list[float] = []
        syncs: list[float] = []
        with _server_process(db_path) as base_url:
            for _ in range(args.repeat):
                records, seconds = plain_loop(base_url, settings, args.page_size)
                loops.append(seconds)
                document, seconds, sent = suitepulse_sync(base_url, settings, args.page_size)
                syncs.append(seconds)
    streams = {s["name"]: s for s in document["streams"]}  # type: ignore[attr-defined]
    contacts = streams["Contacts"]
    pages = int(contacts["pages"])
    loop, sync = min(loops), min(syncs)
    print(f"{records} contacts, pages of {args.page_size}, best of {args.repeat}:")
    print(f"  plain V8 loop          {loop:6.1f} s  {records / loop:7.0f} records/s")
    print(f"  suitepulse sync        {sync:6.1f} s  {records / sync:7.0f} records/s  "
          f"({sync and loop / sync:.2f}x the loop; new {contacts['new']}, "
          f"reconciled {contacts['reconciled']})")
    print(f"  requests of the sync: {sent} (stored pages {pages}, plus one empty page when "
          "the last is full; token POST; field metadata GET)")


if __name__ == "__main__":
    main()
