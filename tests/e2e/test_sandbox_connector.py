"""The SuiteCRM connector against a running sandbox: listing, writing, relating, faults."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal

import httpx
import pytest

from connectors.settings import HttpSettings
from connectors.suitecrm import Condition, Filter, SuiteCRMClient
from sandbox import RunningSandbox, running_sandbox

pytestmark = pytest.mark.e2e

FIELDS = ["first_name", "last_name", "email1", "birthdate", "date_modified", "account_id"]


@pytest.fixture(scope="module")
def sb() -> Iterator[RunningSandbox]:
    with running_sandbox(customers=300, seed=9, anchor=date(2026, 11, 23)) as running:
        yield running


def _client(sb: RunningSandbox, **overrides: object) -> SuiteCRMClient:
    fast = HttpSettings(backoff_initial=0.01, backoff_max=0.05, max_retries=8)
    return SuiteCRMClient(sb.suitecrm_settings(http=fast, **overrides))


def test_lists_every_contact_through_the_connector(sb: RunningSandbox) -> None:
    with _client(sb, page_size=47) as client:
        records = [r for page in client.iter_pages("Contacts", fields=FIELDS) for r in page]
    assert len(records) == 300
    assert len({r.id for r in records}) == 300
    assert all(isinstance(r.attributes["birthdate"], date) for r in records)
    assert all(r.attributes["date_modified"].tzinfo is not None for r in records)


def test_password_grant_and_filters(sb: RunningSandbox) -> None:
    cut = datetime(2026, 6, 1, tzinfo=UTC)
    with _client(sb, grant_type="password", page_size=100) as client:
        newer = [r for page in client.iter_pages(
            "Contacts", fields=["date_modified"],
            filter=Filter.all(Condition("date_modified", "gte", cut))) for r in page]
        everyone = [r for page in client.iter_pages("Contacts", fields=["date_modified"])
                    for r in page]
    assert {r.id for r in newer} == {r.id for r in everyone
                                     if r.attributes["date_modified"] >= cut}
    assert 0 < len(newer) < len(everyone)


def test_custom_fields_write_and_read_back(sb: RunningSandbox) -> None:
    sb.add_custom_field("Contacts", "e2e_value_c", "decimal", length=18, precision=2)
    with _client(sb) as client:
        fields = client.fields("Contacts")
        assert fields["e2e_value_c"].source == "custom_fields"
        record = next(iter(client.iter_pages("Contacts", fields=["last_name"], page_size=1)))[0]
        updated = client.update("Contacts", record.id, {"e2e_value_c": Decimal("12.34"),
                                                        "lifecycle_stage_c": "customer"})
        assert updated.attributes["e2e_value_c"] == Decimal("12.34")
        again = client.get("Contacts", record.id, fields=["e2e_value_c", "lifecycle_stage_c"])
        assert again.attributes["lifecycle_stage_c"] == "customer"


def test_purchases_are_related_to_contacts(sb: RunningSandbox) -> None:
    with _client(sb) as client:
        won = [r for page in client.iter_pages(
            "Opportunities", fields=["amount", "sales_stage"],
            filter=Filter.all(Condition("sales_stage", "eq", "Closed Won")), page_size=200)
            for r in page]
        assert won and all(r.attributes["amount"] > 0 for r in won)
        contact = next(iter(client.iter_pages("Contacts", fields=["last_name"], page_size=5)))[0]
        related = [r for page in client.relationships("Contacts", contact.id, "opportunities")
                   for r in page]
        assert all(r.module == "Opportunities" for r in related)


def test_listing_survives_faults(sb: RunningSandbox) -> None:
    sb.faults.rate_429 = 0.15
    sb.faults.retry_after_s = 0
    sb.faults.rate_5xx = 0.1
    sb.faults.token_ttl_s = 0.5
    sb.faults.rate_drop = 0.05
    try:
        with _client(sb, page_size=10) as client:
            records = [r for page in client.iter_pages("Contacts", fields=["last_name"])
                       for r in page]
    finally:
        sb.faults.rate_429 = sb.faults.rate_5xx = sb.faults.rate_drop = 0.0
        sb.faults.token_ttl_s = None
    assert len({r.id for r in records}) == 300


class _Counting(httpx.AsyncBaseTransport):
    """A caller's transport that wraps the network and outlives any one request batch."""

    def __init__(self) -> None:
        self.network = httpx.AsyncHTTPTransport()
        self.requests = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        return await self.network.handle_async_request(request)


def test_bulk_calls_share_the_callers_async_transport(sb: RunningSandbox) -> None:
    """A transport passed in keeps working across bulk calls (one event loop per client)."""
    transport = _Counting()
    settings = sb.suitecrm_settings(http=HttpSettings(backoff_initial=0.01, max_retries=1))
    with SuiteCRMClient(settings, async_transport=transport) as client:
        ids = [r.id for r in next(client.iter_pages("Contacts", fields=["id"], page_size=6))]
        for round_ in ("first", "second", "third"):
            results = client.update_many(
                "Contacts", [(record_id, {"description": round_}) for record_id in ids])
            assert [r.body["data"]["id"] for r in results] == ids
            assert all(r.body["data"]["attributes"]["description"] == round_
                       for r in results)
        assert [r.attributes["description"] for r in client.get_many("Contacts", ids)] == [
            "third"] * len(ids)
    assert transport.requests == 4 * len(ids)
