"""What the sync e2e tests share: a client file for a sandbox, and both sides to compare.

The client file is written as YAML and loaded by the same loader as the CLI, so a test can
run ``sync_client`` in-process and ``suitepulse sync`` / ``status`` on the same client.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import yaml

from connectors.suitecrm import SuiteCRMClient
from sandbox import RunningSandbox
from sync.config import ClientConfig, load_client
from sync.field_selection import needed_fields
from sync.privacy_rows import without_clear_emails
from sync.store import Store
from sync.store.records import canonical_json
from tests.unit.sync.conftest import stored

__all__ = ["FIELDS", "PRIVACY_KEY", "SECRET_ENV", "RecordingTransport", "client_config",
           "sandbox_view", "store_view", "write_client_file"]

SECRET_ENV = "E2E_SANDBOX_SECRET"
FIELDS: dict[str, list[str]] = {
    "Contacts": ["first_name", "last_name", "email1", "birthdate", "account_id"],
    "Accounts": ["name", "billing_address_city"],
    "AOS_Invoices": ["billing_contact_id", "total_amount", "invoice_date", "status"],
}
FAST_HTTP = {"backoff_initial": 0.01, "backoff_max": 0.05, "max_retries": 10}


PRIVACY_KEY = "e2e-sandbox-privacy-key-0001"
"""The hashing key of the e2e clients, so that stores of several runs compare equal."""


def write_client_file(folder: Path, sb: RunningSandbox, store_url: str, *,
                      page_size: int = 25, **sync: Any) -> Path:
    """``folder/acme.yaml`` syncing FIELDS' modules from ``sb`` into ``store_url``.

    The secret is read from ``$E2E_SANDBOX_SECRET`` (set it to ``sb.client_secret``).
    """
    document = {
        "client": "acme",
        "suitecrm": {"base_url": sb.base_url, "api_layout": "7.x", "client_id": sb.client_id,
                     "client_secret": f"${{{SECRET_ENV}}}", "page_size": page_size,
                     "http": FAST_HTTP},
        "sync": {"modules": ["Contacts", "Accounts"], "fields": FIELDS, **sync},
        "enrichment": {"customer_entity": "Contacts", "purchases": {
            "module": "AOS_Invoices", "customer_field": "billing_contact_id",
            "amount_field": "total_amount", "date_field": "invoice_date",
            "status_field": "status", "won_values": ["Paid", "Unpaid"]}},
        "store": {"url": store_url},
        "privacy": {"key": f"${{E2E_PRIVACY_KEY:-{PRIVACY_KEY}}}"},
    }
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "acme.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def valued_client_document(path: Path) -> dict[str, Any]:
    """The client file at ``path`` with invoices synced and a BG/NBD model that trusts the
    sandbox's few repeat buyers (write it back after adding to it)."""
    document: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    document["sync"]["modules"].append("AOS_Invoices")
    document["enrichment"]["value_model"] = {"model": "bgnbd", "min_repeat_buyers": 10,
                                             "interval_draws": 0}
    return document


def client_config(path: Path) -> ClientConfig:
    """The client file loaded as the CLI loads it."""
    return load_client(path).config


def sandbox_view(config: ClientConfig, module: str) -> dict[str, str]:
    """id -> canonical attribute JSON of every record ``module`` lists now.

    Only the fields ``config`` stores of ``module`` (FIELDS and what SuitePulse needs).
    """
    fields = sorted(needed_fields(config)[module])
    with SuiteCRMClient(config.suitecrm) as client:
        return {record.id: canonical_json(without_clear_emails(
                    [record.attributes], PRIVACY_KEY.encode())[0])
                for page in client.iter_pages(module, fields=fields, sort="id", page_size=200)
                for record in page}


def store_view(store: Store, module: str, *, deleted: bool = False) -> dict[str, str]:
    """id -> attribute JSON of the stored records of ``module`` (the deleted ones if asked)."""
    return {record_id: attributes for record_id, (attributes, flagged)
            in stored(store, module).items() if flagged is deleted}


def attribute(text: str, name: str) -> Any:
    """One attribute of a stored or listed record's JSON."""
    return json.loads(text).get(name)


class RecordingTransport(httpx.HTTPTransport):
    """An HTTP transport that keeps the URL of every request it sends."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[httpx.URL] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.urls.append(request.url)
        return super().handle_request(request)

    def lists(self, module: str) -> list[dict[str, str]]:
        """The query parameters of every list request of ``module``."""
        return [dict(url.params.multi_items()) for url in self.urls
                if url.path.endswith(f"/V8/module/{module}")]
