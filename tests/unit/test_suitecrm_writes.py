"""Writes: value formatting, update_many with bounded concurrency, retries."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from connectors.errors import AuthError, FatalAPIError, RecordError, RetriableError
from connectors.suitecrm.outcomes import CallStatus
from tests.unit.suitecrm_fake import FakeSuiteCRM, contact

NOT_FOUND = {"errors": {"status": 400, "title": None,
                        "detail": "Contacts module with id id-002 is not found"}}


def _echo(request: httpx.Request) -> httpx.Response:
    data = json.loads(request.content)["data"]
    return httpx.Response(201, json={"data": contact(1, **{"last_name": "x"}) | {"id": data["id"]}})


def test_update_sends_only_the_given_attributes_formatted() -> None:
    fake = FakeSuiteCRM()
    route = fake.on("PATCH", "V8/module", _echo)
    plus_two = timezone(timedelta(hours=2))
    with fake.client() as client:
        record = client.update("Contacts", "id-001", {
            "date_modified": datetime(2026, 1, 2, 5, 4, 5, tzinfo=plus_two), "segment_c": None,
            "clv_c": Decimal("15999.95"), "nps_score_c": 9, "opt_in_c": True,
            "birthdate": date(1990, 7, 4), "enriched_at_c": "2026-11-23T10:00:00Z"})
    assert record.id == "id-001" and record.module == "Contacts"
    sent = json.loads(route.calls.last.request.content)
    assert route.calls.last.request.headers["Content-Type"] == "application/vnd.api+json"
    assert sent == {"data": {"type": "Contacts", "id": "id-001", "attributes": {
        "date_modified": "2026-01-02 03:04:05", "segment_c": "", "clv_c": 15999.95,
        "nps_score_c": 9, "opt_in_c": 1, "birthdate": "1990-07-04",
        "enriched_at_c": "2026-11-23T10:00:00Z"}}}  # not a datetime field in the metadata


def test_iso_strings_for_datetime_fields_are_converted_and_naive_ones_refused() -> None:
    fake = FakeSuiteCRM()
    route = fake.on("PATCH", "V8/module", _echo)
    with fake.client() as client:
        client.update("Contacts", "id-001", {"date_modified": "2026-11-23T12:00:00+02:00"})
        assert json.loads(route.calls.last.request.content)["data"]["attributes"] == {
            "date_modified": "2026-11-23 10:00:00"}
        with pytest.raises(ValueError, match="naive datetime"):
            client.update("Contacts", "id-001", {"date_modified": datetime(2026, 1, 1)})
        with pytest.raises(ValueError, match="naive datetime"):
            client.update("Contacts", "id-001", {"date_modified": "2026-11-23T12:00:00"})
        with pytest.raises(TypeError, match="cannot be written"):
            client.update("Contacts", "id-001", {"last_name": ["a"]})
        with pytest.raises(ValueError, match="finite"):
            client.update("Contacts", "id-001", {"clv_c": float("nan")})
    assert len(route.calls) == 1


def test_update_many_reports_a_refused_record_and_goes_on() -> None:
    fake = FakeSuiteCRM()
    in_flight, peak, lock = 0, 0, threading.Lock()

    async def answer(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        with lock:
            in_flight += 1
            peak = max(peak, in_flight)
        await asyncio.sleep(0.01)
        with lock:
            in_flight -= 1
        data = json.loads(request.content)["data"]
        if data["id"] == "id-002":
            return httpx.Response(400, json=NOT_FOUND)
        return _echo(request)

    fake.on("PATCH", "V8/module", answer)
    updates = [(f"id-{n:03d}", {"segment_c": f"s{n}"}) for n in range(10)]
    with fake.client(settings={"http": {"concurrency": 3, "max_retries": 0}}) as client:
        results = client.update_many("Contacts", updates)
    assert [r.status for r in results] == [
        CallStatus.REFUSED if n == 2 else CallStatus.ANSWERED for n in range(10)]
    assert [r.body["data"]["id"] for r in results if r.body] == [
        f"id-{n:03d}" for n in range(10) if n != 2]
    error = results[2].error
    assert isinstance(error, RecordError)
    assert (error.module, error.record_id, error.status) == ("Contacts", "id-002", 400)
    assert "is not found" in (error.detail or "")
    assert 1 < peak <= 3


def test_refused_credentials_end_the_batch_and_say_so_per_record() -> None:
    fake = FakeSuiteCRM()
    fake.on("PATCH", "V8/module", lambda r: httpx.Response(401, json={"error": "access_denied"}))
    with fake.client() as client:
        results = client.update_many("Contacts", [("id-001", {"a_c": 1}), ("id-002", {"a_c": 2})])
    assert [r.status for r in results] == [CallStatus.NOT_DONE] * 2
    assert all(isinstance(r.error, AuthError) for r in results)


def test_one_record_out_of_retries_keeps_the_others_outcomes() -> None:
    fake = FakeSuiteCRM()
    heard: list[tuple[int, CallStatus]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        data = json.loads(request.content)["data"]
        if data["id"] == "id-001":
            raise httpx.ReadTimeout("slow", request=request)
        if data["id"] == "id-002":
            return httpx.Response(429, headers={"Retry-After": "0"})
        return _echo(request)

    route = fake.on("PATCH", "V8/module", answer)
    updates = [(f"id-{n:03d}", {"segment_c": "x"}) for n in range(3)]
    with fake.client(settings={"http": {"concurrency": 1, "max_retries": 2}}) as client:
        results = client.update_many("Contacts", updates,
                                     on_result=lambda i, r: heard.append((i, r.status)))
    assert results[0].status is CallStatus.ANSWERED
    assert results[1].status is CallStatus.UNKNOWN  # it may have reached the server
    assert results[2].status is CallStatus.NOT_DONE  # the batch ended: never sent
    assert sorted(heard) == [(0, CallStatus.ANSWERED), (1, CallStatus.UNKNOWN),
                             (2, CallStatus.NOT_DONE)]
    assert len(route.calls) == 1 + 3  # id-000 once, id-001 three times, id-002 never


def test_an_answer_with_text_before_the_json_is_unknown_not_written() -> None:
    fake = FakeSuiteCRM()

    def warning(request: httpx.Request) -> httpx.Response:
        body = _echo(request).text
        return httpx.Response(201, text="<b>Warning</b>: Undefined index: x in "
                                        "/var/www/html/x.php on line 3<br />" + body)

    fake.on("PATCH", "V8/module", warning)
    with fake.client() as client:
        (result,) = client.update_many("Contacts", [("id-001", {"segment_c": "x"})])
    assert result.status is CallStatus.UNKNOWN
    assert result.error is not None and "could not be read" in result.error.reason


def test_a_stopped_batch_sends_nothing_more() -> None:
    fake = FakeSuiteCRM()
    stop = threading.Event()

    def answer(request: httpx.Request) -> httpx.Response:
        stop.set()
        return _echo(request)

    route = fake.on("PATCH", "V8/module", answer)
    with fake.client(settings={"http": {"concurrency": 1}}) as client:
        results = client.update_many("Contacts", [(f"id-{n:03d}", {"a_c": n}) for n in range(5)],
                                     stop=stop)
    assert [r.status for r in results] == [CallStatus.ANSWERED] + [CallStatus.NOT_DONE] * 4
    assert len(route.calls) == 1


def test_backoff_waits_outside_the_concurrency_slot() -> None:
    fake = FakeSuiteCRM()
    order: list[str] = []
    limited = {"id-000"}

    def answer(request: httpx.Request) -> httpx.Response:
        record_id = json.loads(request.content)["data"]["id"]
        if record_id in limited:
            limited.discard(record_id)
            order.append(f"{record_id} 429")
            return httpx.Response(429, headers={"Retry-After": "0.3"})
        order.append(record_id)
        return _echo(request)

    fake.on("PATCH", "V8/module", answer)
    settings = {"http": {"concurrency": 1, "backoff_initial": 0.3, "backoff_max": 1}}
    with fake.client(settings=settings, sleep=time.sleep) as client:
        results = client.update_many("Contacts", [("id-000", {"a_c": 1}), ("id-001", {"a_c": 2})])
    assert [r.status for r in results] == [CallStatus.ANSWERED] * 2
    assert order == ["id-000 429", "id-001", "id-000"]


@pytest.mark.parametrize(("failure", "calls"), [
    (httpx.ReadTimeout, 1),  # may have created the record: never sent again
    (httpx.ConnectError, 3),  # never reached the server: retried
])
def test_create_is_not_retried_once_it_may_have_reached_the_server(
        failure: type[httpx.TransportError], calls: int) -> None:
    fake = FakeSuiteCRM()

    def broken(request: httpx.Request) -> httpx.Response:
        raise failure("no answer", request=request)

    route = fake.on("POST", "V8/module", broken)
    with fake.client() as client, pytest.raises(RetriableError):
        client.create("Contacts", {"last_name": "x"})
    assert len(route.calls) == calls


def test_get_many_reads_concurrently_in_order() -> None:
    fake = FakeSuiteCRM()
    fake.router.get(url__regex=r"/Api/V8/module/Contacts/id-\d+").mock(
        side_effect=lambda r: httpx.Response(200, json={"data": contact(int(r.url.path[-3:]))}))
    with fake.client() as client:
        results = client.get_many("Contacts", [f"id-{n:03d}" for n in (5, 1, 9)])
    assert [r.id for r in results] == ["id-005", "id-001", "id-009"]


@pytest.mark.parametrize("status", [429, 502, 503, 504])
def test_passing_failures_are_retried_honouring_retry_after(status: int) -> None:
    fake = FakeSuiteCRM()
    answers = [httpx.Response(status, headers={"Retry-After": "0.5"}),
               httpx.Response(200, json={"data": contact(1)})]
    route = fake.on("GET", "V8/module/Contacts/id-001", lambda r: answers.pop(0))
    slept: list[float] = []
    with fake.client(sleep=slept.append) as client:
        assert client.get("Contacts", "id-001").id == "id-001"
    assert len(route.calls) == 2 and slept and slept[0] >= 0.5


def test_timeouts_are_retried_then_raised() -> None:
    fake = FakeSuiteCRM()

    def timeout(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    route = fake.on("GET", "V8/module/Contacts/id-001", timeout)
    with fake.client() as client, pytest.raises(RetriableError, match="timed out") as caught:
        client.get("Contacts", "id-001")
    assert len(route.calls) == 3  # max_retries=2
    assert (caught.value.module, caught.value.record_id) == ("Contacts", "id-001")


@pytest.mark.parametrize("status", [400, 403, 404, 405, 422, 500])
def test_other_failures_are_not_retried(status: int) -> None:
    fake = FakeSuiteCRM()
    route = fake.on("GET", "V8/module/Contacts/id-001",
                    lambda r: httpx.Response(status, json=NOT_FOUND))
    with fake.client() as client, pytest.raises(FatalAPIError) as caught:
        client.get("Contacts", "id-001")
    assert len(route.calls) == 1
    assert caught.value.module == "Contacts" and caught.value.record_id == "id-001"


def test_filter_support_probe_is_cached() -> None:
    fake = FakeSuiteCRM()
    failure = ('{"errors":{"status":400,"title":null,"detail":"Database failure. Please refer '
               'to suitecrm.log for details."}}Database failure.')

    def answer(request: httpx.Request) -> httpx.Response:
        if "filter[email1][eq]" in request.url.params:
            return httpx.Response(400, text=failure)
        return httpx.Response(200, json={"data": []})

    route = fake.on("GET", "V8/module/Contacts", answer)
    with fake.client() as client:
        assert client.filter_supported("Contacts", "email1") is False
        assert client.filter_supported("Contacts", "email1") is False
        assert client.filter_supported("Contacts", "segment_c") is True
    assert len(route.calls) == 2


def test_record_values_round_trip_types() -> None:
    answer: dict[str, Any] = {"data": contact(1, clv_c="0.10", date_modified="")}
    fake = FakeSuiteCRM()
    fake.on("GET", "V8/module/Contacts/id-001", lambda r: httpx.Response(200, json=answer))
    with fake.client() as client:
        record = client.get("Contacts", "id-001")
    assert record["clv_c"] == Decimal("0.10") and record["date_modified"] is None
    assert record.get("missing") is None and datetime.now(UTC)


RECORDINGS = Path(__file__).resolve().parents[1] / "contract" / "data" / "recordings"


def _recorded(name: str) -> httpx.Response:
    answer = json.loads((RECORDINGS / name).read_text(encoding="utf-8"))["response"]
    return httpx.Response(answer["status"], json=answer["body"])


def test_relationship_answers_as_suitecrm_sends_them_are_read_as_done() -> None:
    fake = FakeSuiteCRM()
    fake.on("POST", "V8/module/ProspectLists/list-1/relationships/contacts",
            lambda request: _recorded("rel_08_post_by_link_name.json"))
    fake.on("DELETE", "V8/module/ProspectLists/list-1/relationships/contacts/id-002",
            lambda request: _recorded("rel_11_delete.json"))
    with fake.client() as client:
        results = client.send_many([
            client.relate_call("ProspectLists", "list-1", "Contacts", "id-001", link="contacts"),
            client.unrelate_call("ProspectLists", "list-1", "contacts", "id-002")])
    assert [r.status for r in results] == [CallStatus.ANSWERED, CallStatus.ANSWERED]


def test_a_relationship_answer_without_its_message_is_unknown() -> None:
    fake = FakeSuiteCRM()
    fake.on("POST", "V8/module/ProspectLists/list-1/relationships/contacts",
            lambda request: httpx.Response(201, text="<html>maintenance</html>"))
    with fake.client() as client:
        (result,) = client.send_many([
            client.relate_call("ProspectLists", "list-1", "Contacts", "id-001", link="contacts")])
    assert result.status is CallStatus.UNKNOWN
