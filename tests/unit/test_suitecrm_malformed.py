"""A bad answer is an error, never "no more records" (issue 11 item 5)."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connectors.errors import ConnectorError, FatalAPIError, MalformedResponseError
from connectors.suitecrm import SuiteCRMClient
from tests.unit.suitecrm_fake import FakeSuiteCRM, contact

HTML = b"<html><body><h1>Down for maintenance</h1></body></html>"
DEEP = b"[" * 100_000 + b"]" * 100_000
FIELDS_ROUTE = r"/Api/V8/meta/fields/\w+$"


def answering(method: str, path: str, status: int, content: bytes) -> FakeSuiteCRM:
    fake = FakeSuiteCRM()
    fake.on(method, path, lambda _r: httpx.Response(status, content=content))
    return fake


def list_all(client: SuiteCRMClient) -> list[str]:
    return [r.id for page in client.iter_pages("Contacts") for r in page]


def get_one(client: SuiteCRMClient) -> object:
    return client.get("Contacts", "id-001")


def patch_one(client: SuiteCRMClient) -> object:
    return client.update("Contacts", "id-001", {"last_name": "X"})


@pytest.mark.parametrize("content", [
    HTML, b"", b"   ", b'{"data": "text"}', b'{"data": {"id": "x"}}', b"[1, 2]", b"null",
    b'{"meta": {"total-pages": 3}}', b'{"data": [{"id": "id-1", "attributes": [1]}]}', DEEP,
], ids=["html", "empty", "blank", "data-text", "data-object", "array", "null", "meta-only",
        "attributes-list", "deep"])
def test_a_list_page_that_is_not_a_document_is_an_error_not_the_end(content: bytes) -> None:
    fake = answering("GET", "V8/module/Contacts", 200, content)
    with fake.client() as client, pytest.raises(MalformedResponseError) as caught:
        list_all(client)
    assert "Contacts" in str(caught.value)
    assert caught.value.hint and "V8 API" in caught.value.hint


def test_an_empty_data_list_still_ends_the_listing() -> None:
    fake = answering("GET", "V8/module/Contacts", 200, b'{"data": []}')
    with fake.client() as client:
        assert list_all(client) == []


def test_pages_cycling_a_b_a_b_are_caught() -> None:
    pages = [[contact(1), contact(2), contact(3)], [contact(4), contact(5), contact(6)]]

    def answer(request: httpx.Request) -> httpx.Response:
        number = int(request.url.params["page[number]"])
        return httpx.Response(200, json={"data": pages[(number - 1) % 2],
                                         "meta": {"total-pages": 99}})

    fake = FakeSuiteCRM()
    fake.on("GET", "V8/module/Contacts", answer)
    with fake.client() as client, pytest.raises(FatalAPIError, match="already listed"):
        list_all(client)


@pytest.mark.parametrize(("method", "path", "action"), [
    ("GET", "V8/module/Contacts/id-001", get_one),
    ("PATCH", "V8/module", patch_one),
])
@pytest.mark.parametrize("content", [b'{"data": []}', HTML, b"", DEEP, b'{"data": 5}'])
def test_a_single_record_answer_without_its_record_is_an_error(
    method: str, path: str, action: Callable[[SuiteCRMClient], object], content: bytes,
) -> None:
    fake = answering(method, path, 200, content)
    with fake.client() as client, pytest.raises(MalformedResponseError) as caught:
        action(client)
    assert caught.value.url is not None and caught.value.url.endswith("/Api/" + path)
    assert "/Api/" + path in str(caught.value)


@pytest.mark.parametrize("content", [b'{"meta": {}}', b'{"data": {"attributes": []}}', HTML])
def test_metadata_answers_without_data_are_errors(content: bytes) -> None:
    fake = FakeSuiteCRM()
    fake.router.get(url__regex=FIELDS_ROUTE).respond(200, content=content)
    fake.on("GET", "V8/meta/modules", lambda _r: httpx.Response(200, content=content))
    with fake.client() as client:
        with pytest.raises(MalformedResponseError) as fields:
            client.fields("Contacts")
        with pytest.raises(MalformedResponseError) as modules:
            client.modules()
    assert str(fields.value.url).endswith("/Api/V8/meta/fields/Contacts")
    assert str(modules.value.url).endswith("/Api/V8/meta/modules")


def test_get_many_names_the_record_url_of_an_unreadable_answer() -> None:
    fake = answering("GET", "V8/module/Contacts/id-001", 200, HTML)
    with fake.client() as client, pytest.raises(MalformedResponseError) as caught:
        client.get_many("Contacts", ["id-001"])
    assert str(caught.value.url).endswith("/Api/V8/module/Contacts/id-001")


def _json_values() -> st.SearchStrategy[Any]:
    scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=5)
    return st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                        | st.dictionaries(st.sampled_from(["data", "id", "attributes", "meta",
                                                           "type", "total-pages", "errors"]),
                                          inner, max_size=4), max_leaves=12)


BODIES = (st.binary(max_size=60) | st.sampled_from([HTML, DEEP, b"", b'{"data": []}'])
          | _json_values().map(lambda value: httpx.Response(200, json=value).content))
STATUSES = st.sampled_from([200, 201, 204, 400, 401, 403, 404, 409, 422, 429, 500, 502, 503])

PARSERS: dict[str, tuple[str, str, Callable[[SuiteCRMClient], object]]] = {
    "list": ("GET", "V8/module/Contacts", list_all),
    "get": ("GET", "V8/module/Contacts/id-001", get_one),
    "patch": ("PATCH", "V8/module", patch_one),
    "modules": ("GET", "V8/meta/modules", lambda client: client.modules()),
    "fields": ("GET", "", lambda client: client.fields("Contacts")),
    "token": ("GET", "V8/current-user", lambda client: client.authenticate()),
}


@pytest.mark.parametrize("parser", sorted(PARSERS))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(status=STATUSES, content=BODIES)
def test_any_answer_gives_a_result_or_a_documented_error_quickly(
    parser: str, status: int, content: bytes,
) -> None:
    method, path, action = PARSERS[parser]
    fake = FakeSuiteCRM()
    if parser == "fields":
        fake.router.get(url__regex=FIELDS_ROUTE).respond(status, content=content)
    elif parser == "token":
        fake.token_answers.extend([httpx.Response(status, content=content)] * 5)
    else:
        fake.on(method, path, lambda _r: httpx.Response(status, content=content))
    started = time.monotonic()
    with fake.client() as client, contextlib.suppress(ConnectorError):
        action(client)
    assert time.monotonic() - started < 5
