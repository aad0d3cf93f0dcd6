"""The SuiteCRM client's own overhead per record, for listing and for updating.

The server is an in-process ``httpx.MockTransport`` serving canned pages (Contacts with
~25 attributes each, as a sparse read would return), so the figures are the client's work:
building requests, auth, parsing JSON, converting values by field metadata, and for
updates formatting values and the bounded-concurrency async path.

    python benchmarks/bench_connector.py [--records 20000] [--page-size 200] [--updates 2000]
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from typing import Any

import httpx

from connectors.suitecrm import SuiteCRMClient, SuiteCRMSettings

FIELDS: dict[str, dict[str, Any]] = {
    "id": {"type": "id", "dbType": "id"},
    "date_modified": {"type": "datetime", "dbType": "datetime"},
    "date_entered": {"type": "datetime", "dbType": "datetime"},
    "birthdate": {"type": "date", "dbType": "date"},
    "clv_c": {"type": "decimal", "dbType": "decimal", "source": "custom_fields"},
    "churn_risk_c": {"type": "float", "dbType": "float", "source": "custom_fields"},
    "nps_score_c": {"type": "int", "dbType": "int", "source": "custom_fields"},
    "marketing_opt_in_c": {"type": "bool", "dbType": "bool", "source": "custom_fields"},
    "enriched_at_c": {"type": "datetimecombo", "dbType": "datetime", "source": "custom_fields"},
    "accounts": {"type": "link", "dbType": "link", "source": "non-db"},
    **{f"text_{n}": {"type": "varchar", "dbType": "varchar"} for n in range(15)},
}


def _row(number: int) -> dict[str, Any]:
    attributes: dict[str, Any] = {
        "date_modified": "2026-11-21T02:53:00+00:00", "date_entered": "2026-01-01T10:00:00+00:00",
        "birthdate": "1990-07-04", "clv_c": "15999.95", "churn_risk_c": "0.1250",
        "nps_score_c": "9", "marketing_opt_in_c": "1", "enriched_at_c": "", "accounts": "",
        **{f"text_{n}": f"value O&#039;Brien {number}" for n in range(15)},
    }
    return {"type": "Contact", "id": f"{number:08d}-0000-0000-0000-000000000000",
            "attributes": attributes, "relationships": {}}


def _server(records: int, page_size: int) -> Callable[[httpx.Request], httpx.Response]:
    pages = -(-records // page_size)
    canned = {
        number: json.dumps({
            "meta": {"total-pages": pages, "records-on-this-page": page_size},
            "data": [_row(n) for n in range((number - 1) * page_size,
                                            min(number * page_size, records))],
        }).encode()
        for number in range(1, pages + 1)
    }
    fields = json.dumps({"data": {"type": "fields", "attributes": FIELDS}}).encode()
    token = json.dumps({"token_type": "Bearer", "expires_in": 3600,
                        "access_token": "jwt"}).encode()
    updated = json.dumps({"data": _row(1)}).encode()
    json_api = {"Content-Type": "application/vnd.api+json"}

    def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.endswith("/access_token"):
            return httpx.Response(200, content=token, headers=json_api)
        if "/meta/fields/" in path:
            return httpx.Response(200, content=fields, headers=json_api)
        if request.method == "PATCH":
            return httpx.Response(201, content=updated, headers=json_api)
        number = int(request.url.params["page[number]"])
        return httpx.Response(200, content=canned.get(number, b'{"data": []}'),
                              headers=json_api)

    return handler


def _settings(page_size: int) -> SuiteCRMSettings:
    return SuiteCRMSettings.model_validate({
        "base_url": "http://bench.test", "api_layout": "7.x", "client_id": "bench",
        "client_secret": "bench-secret", "page_size": page_size,
    })


def bench_list(records: int, page_size: int) -> tuple[float, int]:
    handler = _server(records, page_size)
    with SuiteCRMClient(_settings(page_size), transport=httpx.MockTransport(handler)) as client:
        client.fields("Contacts")  # metadata and token once, outside the timing
        client.authenticate()
        start = time.perf_counter()
        count = sum(len(page) for page in client.iter_pages("Contacts"))
        return time.perf_counter() - start, count


def bench_update(updates: int) -> tuple[float, int]:
    handler = _server(1, 1)
    with SuiteCRMClient(_settings(100), transport=httpx.MockTransport(handler),
                        async_transport=httpx.MockTransport(handler)) as client:
        client.fields("Contacts")
        client.authenticate()
        batch = [(f"{n:08d}-0000-0000-0000-000000000000",
                  {"clv_c": 1234.5 + n, "segment_c": "vip", "nps_score_c": n % 10})
                 for n in range(updates)]
        start = time.perf_counter()
        results = client.update_many("Contacts", batch)
        return time.perf_counter() - start, len(results)


def _report(what: str, seconds: float, count: int) -> None:
    print(f"{what:<32} {count:>7} records  {seconds * 1e6 / count:8.1f} µs/record  "
          f"{count / seconds:10.0f} records/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20000)
    parser.add_argument("--page-size", type=int, default=200)
    parser.add_argument("--updates", type=int, default=2000)
    args = parser.parse_args()
    seconds, count = bench_list(args.records, args.page_size)
    _report(f"list (page size {args.page_size})", seconds, count)
    seconds, count = bench_update(args.updates)
    _report("update_many (concurrency 4)", seconds, count)


if __name__ == "__main__":
    main()
