"""Paging: explicit page parameters, and when listing stops."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from connectors.errors import FatalAPIError
from connectors.suitecrm import Condition, Filter
from tests.unit.suitecrm_fake import FakeSuiteCRM, contact

EMPTY = {"meta": {"message": "Request was successful, but there is no result"}, "data": []}


def pages_server(total_rows: int, *, send_total: bool = True, cap: int | None = None,
                 ) -> tuple[FakeSuiteCRM, list[dict[str, str]]]:
    """A Contacts list of ``total_rows`` rows; ``cap`` limits rows per page like a server may."""
    fake = FakeSuiteCRM()
    asked: list[dict[str, str]] = []
    rows = [contact(n) for n in range(total_rows)]

    def answer(request: httpx.Request) -> httpx.Response:
        params = dict(request.url.params)
        asked.append(params)
        size, number = int(params["page[size]"]), int(params["page[number]"])
        per_page = min(size, cap or size)
        page = rows[(number - 1) * per_page: number * per_page]
        if not page:
            return httpx.Response(200, json=EMPTY)
        body: dict[str, Any] = {"data": page}
        if send_total:
            pages = -(-total_rows // size)
            body["meta"] = {"total-pages": pages, "records-on-this-page": len(page)}
        return httpx.Response(200, json=body)

    fake.on("GET", "V8/module/Contacts", answer)
    return fake, asked


def _ids(fake: FakeSuiteCRM, **options: Any) -> list[str]:
    with fake.client() as client:
        return [r.id for page in client.iter_pages("Contacts", **options) for r in page]


def test_every_request_sends_page_size_and_number_from_one() -> None:
    fake, asked = pages_server(7)
    assert _ids(fake) == [f"id-{n:03d}" for n in range(7)]
    assert [(p["page[size]"], p["page[number]"]) for p in asked] == [("3", "1"), ("3", "2"),
                                                                     ("3", "3")]


def test_exact_multiple_of_page_size_stops_at_total_pages() -> None:
    fake, asked = pages_server(6)
    assert len(_ids(fake)) == 6
    assert len(asked) == 2


def test_stops_on_an_empty_page_when_total_pages_is_missing() -> None:
    fake, asked = pages_server(6, send_total=False)
    assert len(_ids(fake)) == 6
    assert len(asked) == 3  # the third page is empty


def test_a_page_with_fewer_rows_than_asked_does_not_end_the_list() -> None:
    # The e-mail filter path returns at most 20 rows whatever page[size] says; here 2 of 3.
    fake, asked = pages_server(5, send_total=False, cap=2)
    assert _ids(fake) == [f"id-{n:03d}" for n in range(5)]
    assert len(asked) == 4


def test_empty_module_makes_one_request_and_yields_nothing() -> None:
    fake, asked = pages_server(0)
    assert _ids(fake) == []
    assert len(asked) == 1


def test_a_server_that_ignores_page_number_is_caught() -> None:
    fake = FakeSuiteCRM()
    fake.on("GET", "V8/module/Contacts",
            lambda r: httpx.Response(200, json={"data": [contact(1), contact(2), contact(3)]}))
    with pytest.raises(FatalAPIError, match="already listed"):
        _ids(fake)


def test_email_filters_page_by_twenty_at_most() -> None:
    fake, asked = pages_server(2)
    flt = Filter.all(Condition("email1", "eq", "a@example.com"))
    _ids(fake, filter=flt, page_size=200)
    assert asked[0]["page[size]"] == "20"
    assert asked[0]["filter[email1][eq]"] == "a@example.com"


def test_local_filter_is_applied_to_fetched_pages() -> None:
    fake, asked = pages_server(7)
    ids = _ids(fake, local_filter=Filter.all(Condition("last_name", "like", "Name%5")))
    assert ids == ["id-005"]
    assert not any(key.startswith("filter") for key in asked[0])


def test_values_are_converted_by_field_metadata() -> None:
    fake = FakeSuiteCRM()
    fake.on("GET", "V8/module/Contacts", lambda r: httpx.Response(200, json={
        "meta": {"total-pages": 1},
        "data": [contact(1, clv_c="12.50", date_modified="2026-11-21T02:53:00-04:00",
                         last_name="O&#039;Neil &amp; Co", accounts="")]}))
    with fake.client() as client:
        (record,), = client.iter_pages("Contacts")
    assert str(record["clv_c"]) == "12.50"
    assert record["date_modified"].isoformat() == "2026-11-21T02:53:00+00:00"  # wall clock UTC
    assert record["last_name"] == "O'Neil & Co"
    assert "accounts" not in record.attributes


def test_sort_on_two_fields_is_refused_before_any_request() -> None:
    fake, asked = pages_server(3)
    with pytest.raises(ValueError, match="one field only"):
        _ids(fake, sort="last_name,-date_modified")
    assert asked == []
