"""Sync N contacts into a fresh SQLite store: records per second and peak memory.

Until the sandbox and connector are on main, the records come from a synthetic source that
answers keyset listings like SuiteCRM (minute-resolution date_modified) without holding the
records in memory, so the figures measure the sync engine and the store.

    python benchmarks/bench_sync.py --contacts 25000 100000
"""

from __future__ import annotations

import argparse
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sync.config import ClientConfig
from sync.pull import sync_client
from sync.store import Store

_START = datetime(2025, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class _Record:
    id: str
    attributes: dict[str, Any]


class SyntheticSource:
    """``count`` contacts; contact i was modified at start + 7*i seconds."""

    def __init__(self, count: int) -> None:
        self.count = count

    def _record(self, index: int) -> _Record:
        return _Record(str(uuid.UUID(int=index + 1)), {
            "first_name": f"First{index}", "last_name": f"Last{index}",
            "email1": f"person{index}@example.com", "primary_address_city": "Berlin",
            "birthdate": "1980-01-01", "account_id": str(uuid.UUID(int=10**9 + index % 5000)),
            "date_modified": (_START + timedelta(seconds=7 * index)).replace(second=0)})

    def first_page(self, module: str, *, fields: Sequence[str] | None,
                   conditions: Sequence[tuple[str, str, Any]], sort: str,
                   page_size: int) -> list[_Record]:
        if module != "Contacts":
            return []
        start = 0
        for field, op, value in conditions:
            if field == "date_modified" and op == "gte":
                start = max(start, -(-int((value - _START).total_seconds()) // 7))
            elif field == "id" and op == "gt":  # the id-only listing of reconciliation
                start = max(start, uuid.UUID(value).int)
        end = min(self.count, start + page_size)
        return [self._record(index) for index in range(start, end)]

    def field_types(self, module: str) -> dict[str, str]:
        return {"date_modified": "datetime", "birthdate": "date"}


def measure(count: int, page_size: int) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as folder:
        config = ClientConfig.model_validate({
            "client": "bench", "suitecrm": {"base_url": "http://127.0.0.1:1", "client_id": "x",
                                            "client_secret": "s", "page_size": page_size},
            "sync": {"modules": ["Contacts"]},
            "enrichment": {"customer_entity": "Contacts", "purchases": {"module": "Contacts"}},
            "store": {"url": f"sqlite:///{folder}/bench.sqlite3"}})
        with Store.for_config(config) as store:
            tracemalloc.start()
            began = time.perf_counter()
            summary = sync_client(config, store=store, source=SyntheticSource(count))
            elapsed = time.perf_counter() - began
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            assert summary.streams["Contacts"].new == count, summary.as_dict()
    return count / elapsed, peak / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--contacts", type=int, nargs="+", default=[25_000, 100_000])
    parser.add_argument("--page-size", type=int, default=200)
    args = parser.parse_args()
    for count in args.contacts:
        rate, peak = measure(count, args.page_size)
        print(f"{count:>8} contacts: {rate:8.0f} records/s, peak traced memory {peak:6.1f} MB")


if __name__ == "__main__":
    main()
