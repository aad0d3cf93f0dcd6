"""Write-back benchmark: 100,000 contacts of which 5% changed.

Prints requests sent per changed record (goal 1.0: one PATCH each, nothing for the unchanged
ones; the sparse list reads are counted separately) and records per second.

    python benchmarks/bench_writeback.py [--contacts 100000] [--changed 0.05] [--fake]

Against the sandbox (HTTP on loopback, through SuiteCRMClient) when the sandbox and the
connector are installed; with --fake, or without them, against an in-process fake CRM that
answers the same calls without HTTP (then the figures measure write-back's own work only).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sync.settings import FieldType, WritePolicy
from sync.store import Store
from sync.writeback.audit import AuditLog
from sync.writeback.destination import CRMDestination
from sync.writeback.fieldspec import FieldSpec
from sync.writeback.push import push_traits
from tests.unit.writeback.fake_crm import FakeCRM

STAGES = ["new", "active", "at_risk", "lost"]
SPECS = [
    FieldSpec("lifecycle_stage", "Contacts", "sp_lifecycle_stage_c", FieldType.ENUM,
              WritePolicy.OVERWRITE, "Lifecycle stage", len=100,
              options={s: s for s in STAGES}),
    FieldSpec("clv", "Contacts", "sp_clv_c", FieldType.DECIMAL, WritePolicy.OVERWRITE, "CLV",
              len=18, precision=2),
]


def _dataset(contacts: int, changed: float, seed: int = 1) -> tuple[
        dict[str, dict[str, str]], dict[str, dict[str, object]], int]:
    rng = random.Random(seed)
    crm: dict[str, dict[str, str]] = {}
    traits: dict[str, dict[str, object]] = {}
    n_changed = 0
    for i in range(contacts):
        record_id = f"{i:08d}-0000-4000-8000-000000000000"
        stage, clv = rng.choice(STAGES), round(rng.uniform(0, 5000), 2)
        crm[record_id] = {"sp_lifecycle_stage_c": stage, "sp_clv_c": f"{clv:.2f}"}
        if rng.random() < changed:
            n_changed += 1
            clv = round(clv + 1, 2)
        traits[record_id] = {"lifecycle_stage": stage, "clv": clv}
    return crm, traits, n_changed


def run_fake(contacts: int, changed: float, page_size: int) -> None:
    records, traits, n_changed = _dataset(contacts, changed)
    crm = FakeCRM(records={"Contacts": records})
    with tempfile.TemporaryDirectory() as tmp:
        audit = AuditLog(Store(f"sqlite:///{tmp}/store.sqlite3").engine)
        started = time.perf_counter()
        report = push_traits(SPECS, traits, client=crm, destination=CRMDestination(crm),
                             audit=audit, run_id="bench", page_size=page_size)
        elapsed = time.perf_counter() - started
    _print("in-process fake CRM (no HTTP)", contacts, n_changed, report.records_written,
           crm.requests, elapsed)


class _Counting(httpx.BaseTransport):
    def __init__(self, counts: dict[str, int]) -> None:
        self.inner, self.counts = httpx.HTTPTransport(), counts

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        _count(self.counts, request)
        return self.inner.handle_request(request)


class _AsyncCounting(httpx.AsyncBaseTransport):
    """Counts the bulk requests and sends them over one connection pool."""

    def __init__(self, counts: dict[str, int]) -> None:
        self.counts = counts
        self.network = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        _count(self.counts, request)
        return await self.network.handle_async_request(request)


def _count(counts: dict[str, int], request: httpx.Request) -> None:
    path = request.url.path
    kind = ("patch" if request.method == "PATCH" else "token" if path.endswith("access_token")
            else "meta" if "/meta/" in path else "list" if request.method == "GET" else "other")
    counts[kind] = counts.get(kind, 0) + 1


def run_sandbox(contacts: int, changed: float, page_size: int, concurrency: int) -> None:
    """Against the sandbox over HTTP: custom fields start empty, 5% of contacts get values."""
    from connectors.suitecrm import SuiteCRMClient
    from sandbox import running_sandbox

    started = time.perf_counter()
    with running_sandbox(customers=contacts, seed=5) as sb:
        sb.add_custom_field("Contacts", "sp_lifecycle_stage_c", "enum", length=100)
        sb.add_custom_field("Contacts", "sp_clv_c", "decimal", length=18, precision=2)
        print(f"sandbox with {contacts} contacts up in {time.perf_counter() - started:.1f} s",
              file=sys.stderr)
        counts: dict[str, int] = {}
        settings = sb.suitecrm_settings(page_size=page_size,
                                        http={"concurrency": concurrency})
        rng = random.Random(2)
        with SuiteCRMClient(settings, transport=_Counting(counts),
                            async_transport=_AsyncCounting(counts)) as crm, \
                tempfile.TemporaryDirectory() as tmp:
            ids = [r.id for page in crm.iter_pages("Contacts", fields=["last_name"],
                                                   page_size=1000) for r in page]
            counts.clear()
            traits: dict[str, dict[str, object]] = {
                record_id: ({"lifecycle_stage": rng.choice(STAGES),
                             "clv": round(rng.uniform(0, 5000), 2)}
                            if rng.random() < changed else
                            {"lifecycle_stage": None, "clv": None})
                for record_id in ids}
            n_changed = sum(1 for t in traits.values() if t["clv"] is not None)
            audit = AuditLog(Store(f"sqlite:///{tmp}/store.sqlite3").engine)
            began = time.perf_counter()
            report = push_traits(SPECS, traits, client=crm, destination=CRMDestination(crm),
                                 audit=audit, run_id="bench", page_size=page_size)
            elapsed = time.perf_counter() - began
    _print(f"sandbox over HTTP on loopback (concurrency {concurrency})", len(ids), n_changed,
           report.records_written, counts, elapsed)


def _print(target: str, contacts: int, n_changed: int, written: int,
           requests: dict[str, int], elapsed: float) -> None:
    writes = requests.get("patch", 0)
    reads = requests.get("list", 0) + requests.get("get", 0)
    print(f"target: {target}")
    print(f"requests by kind: {dict(sorted(requests.items()))}")
    print(f"contacts: {contacts}, changed: {n_changed}, records written: {written}")
    print(f"write requests per changed record: {writes / max(n_changed, 1):.3f} (goal 1.0)")
    print(f"all requests per changed record (incl. {reads} list reads): "
          f"{(writes + reads) / max(n_changed, 1):.3f}")
    print(f"elapsed: {elapsed:.2f} s; records compared per second: {contacts / elapsed:,.0f}; "
          f"changed records written per second: {written / elapsed:,.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--changed", type=float, default=0.05)
    parser.add_argument("--page-size", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--fake", action="store_true", help="Use the in-process fake CRM.")
    args = parser.parse_args()
    try:
        import sandbox  # noqa: F401
        from sandbox import running_sandbox  # noqa: F401
    except ImportError:
        args.fake = True
    if args.fake:
        run_fake(args.contacts, args.changed, args.page_size)
    else:
        run_sandbox(args.contacts, args.changed, args.page_size, args.concurrency)


if __name__ == "__main__":
    main()
