"""Building a target list of N members: ``suitepulse push`` as a process against a plain loop.

A sandbox of ``--customers`` contacts is served on loopback; ``suitepulse sync`` fills the
store; the client maps ``purchase_count >= 0`` (every customer) to a target list and no field
(so the push times the list alone). Then:

1. ``suitepulse push acme --json`` (computes the traits, creates the list, adds every member),
   timed as a process, with the sandbox's relationship request counts before and after;
2. the comparator: a plain sequential V8 loop that creates a list and POSTs each member to
   its ``contacts`` link, timed in the same run;
3. ``suitepulse push`` again: the list is up to date, so it should send no relationship call.

It prints relationship calls per membership change (goal 1.00), both times and the members
each list holds.

    python benchmarks/bench_target_lists.py [--customers 5000]
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
from typing import Any

import httpx
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from connectors.suitecrm import SuiteCRMClient
from sandbox import RunningSandbox, running_sandbox
from sync.writeback.reading import read_members
from tests.e2e.writeback_world import ANCHOR, SUITEPULSE, client_env, writeback_client

LIST_NAME = "SuitePulse - Everyone"
PROFILER = os.environ.get("BENCH_PROFILER", "").split()
"""A command to run suitepulse under, e.g. ``py-spy record -o prof.svg --``."""


def _relationship_calls(sb: RunningSandbox) -> int:
    counts = httpx.get(f"{sb.base_url}/sandbox/info").json()["requests"]
    return int(counts.get("POST relationships", 0)) + int(counts.get("DELETE relationships", 0))


def _suitepulse(env: dict[str, str], *args: str) -> tuple[float, dict[str, Any]]:
    started = time.perf_counter()
    done = subprocess.run([*PROFILER, SUITEPULSE, *args], env=env, text=True, capture_output=True,
                          timeout=3600, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"suitepulse {' '.join(args)} exited {done.returncode}: "
                         f"{done.stderr[-2000:]}")
    document = done.stdout[done.stdout.find("{"):]  # a profiler may print before it
    return seconds, json.loads(document) if "--json" in args else {}


def _plain_loop(sb: RunningSandbox, ids: list[str]) -> float:
    """Create a list and relate every id to it, one request after the other."""
    with SuiteCRMClient(sb.suitecrm_settings()) as crm:
        started = time.perf_counter()
        list_id = crm.create("ProspectLists", {"name": "Plain loop", "list_type": "default"}).id
        for record_id in ids:
            crm.relate("ProspectLists", list_id, "Contacts", record_id, link="contacts")
        seconds = time.perf_counter() - started
        assert len(read_members(crm, list_id, "Contacts")) == len(ids)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, \
            running_sandbox(customers=args.customers, seed=7, anchor=ANCHOR) as sb:
        folder = Path(tmp)
        path = writeback_client(folder / "clients", sb, f"sqlite:///{folder / 'store.sqlite3'}")
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        document["suitecrm"]["page_size"] = 200
        document["writeback"]["read_page_size"] = 500
        document["writeback"]["fields"] = {}  # time the list alone, not field writes
        document["writeback"]["target_lists"] = {"purchase_count >= 0": LIST_NAME}
        path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
        env = client_env(folder / "clients", sb, folder / "data")
        _suitepulse(env, "sync", "acme")

        before = _relationship_calls(sb)
        push_seconds, report = _suitepulse(env, "push", "acme", "--json")
        calls = _relationship_calls(sb) - before
        changes = int(report["members_added"]) + int(report["members_removed"])
        with SuiteCRMClient(sb.suitecrm_settings()) as crm:
            list_id = next(r.id for page in crm.iter_pages("ProspectLists", fields=["name"])
                           for r in page if r.attributes["name"] == LIST_NAME)
            members = read_members(crm, list_id, "Contacts")
            ids = sorted(r.id for page in crm.iter_pages("Contacts", fields=["id"],
                                                         page_size=500) for r in page)
        loop_seconds = _plain_loop(sb, ids)

        before = _relationship_calls(sb)
        again_seconds, again = _suitepulse(env, "push", "acme", "--json")
        again_calls = _relationship_calls(sb) - before

    print(f"customers: {args.customers}; list members after the push: {len(members)}")
    print(f"suitepulse push (enrich, create, {changes} membership changes): "
          f"{push_seconds:.1f} s, {calls} relationship calls = "
          f"{calls / max(changes, 1):.2f} per change; lists created "
          f"{report['target_lists_created']}")
    print(f"plain sequential V8 loop, {len(ids)} relationship POSTs: {loop_seconds:.1f} s")
    print(f"second push: {again_seconds:.1f} s, {again_calls} relationship calls, "
          f"{again['members_added']} added, {again['members_removed']} removed")


if __name__ == "__main__":
    main()
