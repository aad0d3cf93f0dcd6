"""connectors.analytics.matomo against Matomo's documented request and answer shapes (respx).

Each test names the Matomo documentation page the shape comes from.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
import respx

from connectors.analytics.matomo import (
    MatomoClient,
    MatomoOverloadError,
    VisitsLogDisabledError,
)
from connectors.analytics.settings import MatomoSettings
from connectors.analytics.visits import parse_visit
from connectors.errors import AuthError, FatalAPIError

BASE = "https://stats.example.com"
TOKEN = "c4ca4238a0b923820dcc509a6f75849b"
REPORTING_API = "https://developer.matomo.org/api-reference/reporting-api"
LIVE_API = "https://developer.matomo.org/api-reference/reporting-api#Live"
SITES_API = "https://developer.matomo.org/api-reference/reporting-api#SitesManager"
VISITS_LOG_FAQ = "https://matomo.org/faq/how-to/how-do-i-disable-the-visits-log-and-visitor-profile/"


def _settings(**changes: Any) -> MatomoSettings:
    return MatomoSettings.model_validate({
        "base_url": BASE, "site_id": 3, "token_auth": TOKEN, "page_size": 4, "min_page_size": 1,
        "http": {"backoff_initial": 0, "backoff_max": 0, "max_retries": 2}, **changes})


def _visit(visit_id: int, last: int, **extra: Any) -> dict[str, Any]:
    """A visit as Live.getLastVisitsDetails returns it (format=JSON), see LIVE_API."""
    return {
        "idSite": "3", "idVisit": str(visit_id), "visitIp": "203.0.113.7",
        "visitorId": "a1b2c3d4e5f60718", "fingerprint": "5e8e3a5f0a1b2c3d",
        "userId": extra.pop("userId", None), "visitorType": "returning",
        "serverDate": "2024-05-02", "firstActionTimestamp": last - 60,
        "lastActionTimestamp": last, "serverTimestamp": last, "visitDuration": "61",
        "actions": "2", "siteCurrency": "EUR",
        "actionDetails": extra.pop("actionDetails", [
            {"type": "action", "url": "https://shop.example.com/", "timestamp": last - 60,
             "pageTitle": "Home"},
            {"type": "event", "eventCategory": "video", "eventAction": "play",
             "timestamp": last - 30},
            {"type": "action", "url": "https://shop.example.com/cart", "timestamp": last}]),
        **extra,
    }


def _form(request: httpx.Request) -> dict[str, str]:
    return dict(parse_qsl(request.content.decode()))


@pytest.fixture
def matomo() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=BASE, assert_all_called=False) as router:
        yield router


def test_token_goes_in_the_post_body_never_the_url(matomo: respx.MockRouter) -> None:
    # REPORTING_API, "Authenticate to the API via token_auth parameter": send it as POST.
    route = matomo.post("/index.php").respond(200, json={"value": "5.1.0"})
    with MatomoClient(_settings()) as client:
        assert client.call("API.getMatomoVersion") == {"value": "5.1.0"}
    request = route.calls.last.request
    assert TOKEN not in str(request.url)
    assert request.url.params["method"] == "API.getMatomoVersion"
    assert request.url.params["format"] == "JSON"
    assert _form(request)["token_auth"] == TOKEN


def test_result_error_with_status_200_is_an_error(matomo: respx.MockRouter) -> None:
    # REPORTING_API: errors come as {"result":"error","message":...}, here with HTTP 200.
    matomo.post("/index.php").respond(200, json={
        "result": "error", "message": "The method 'Live.getNope' does not exist or is not "
                                      "available in the module 'Live'."})
    with MatomoClient(_settings()) as client, pytest.raises(FatalAPIError) as raised:
        client.call("Live.getNope", {"idSite": 3})
    assert "does not exist" in str(raised.value) and TOKEN not in str(raised.value)


def test_a_refused_token_is_an_auth_error_with_a_hint(matomo: respx.MockRouter) -> None:
    # REPORTING_API: a token without access answers this message (HTTP 200 or 401).
    matomo.post("/index.php").respond(401, json={
        "result": "error", "message": "You can't access this resource as it requires 'view' "
                                      "access for the website id = 3."})
    with MatomoClient(_settings()) as client, pytest.raises(AuthError) as raised:
        client.site(3)
    assert "view access to site 3" in (raised.value.hint or "")


@pytest.mark.parametrize(("message", "who"), [
    ("Visits log is deactivated globally. A user with super user access can enable this "
     "feature in the general settings.", "super user"),
    ("Visits log is deactivated in website settings. A user with at least admin access can "
     "enable this feature in the settings for this website (idSite=3).", "admin access to site 3"),
])
def test_visits_log_deactivated_says_who_can_enable_it_and_where(
        matomo: respx.MockRouter, message: str, who: str) -> None:
    # VISITS_LOG_FAQ; the messages are those of Live::checkIsVisitorLogEnabled (Matomo 4/5).
    route = matomo.post("/index.php").respond(200, json={"result": "error", "message": message})
    with MatomoClient(_settings()) as client, pytest.raises(VisitsLogDisabledError) as raised:
        client.check_visits_log(3)
    assert who in (raised.value.hint or "") and "Disable visits log" in (raised.value.hint or "")
    assert _form(route.calls.last.request)["filter_limit"] == "1"
    assert route.call_count == 1  # a setting: not retried


def test_site_timezone_iana_and_utc_offset(matomo: respx.MockRouter) -> None:
    # SITES_API, SitesManager.getSiteFromId: "timezone" is an IANA name or "UTC+5.5".
    answers = iter([{"idsite": "3", "timezone": "America/New_York", "currency": "USD"},
                    {"idsite": "3", "timezone": "UTC+5.5", "currency": "INR"}])
    matomo.post("/index.php").mock(side_effect=lambda _r: httpx.Response(
        200, json=next(answers)))
    with MatomoClient(_settings()) as client:
        new_york, india = client.site(3), client.site(3)
    assert str(new_york.timezone) == "America/New_York" and new_york.currency == "USD"
    assert india.timezone.utcoffset(None) == timedelta(hours=5, minutes=30)


class _Live:
    """Live.getLastVisitsDetails as LIVE_API describes it: last action > minTimestamp,
    sorted by last action time, filter_limit and filter_offset applied after."""

    def __init__(self, stamps: list[int], *, memory_limit: int | None = None) -> None:
        self.visits = [_visit(n + 1, stamp) for n, stamp in enumerate(stamps)]
        self.memory_limit = memory_limit
        self.forms: list[dict[str, str]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        form = _form(request)
        self.forms.append(form)
        limit = int(form["filter_limit"])
        if self.memory_limit is not None and limit > self.memory_limit:
            return httpx.Response(500, text="<b>Fatal error</b>:  Allowed memory size of "
                                            "134217728 bytes exhausted (tried to allocate 8192 "
                                            "bytes) in core/DataTable.php")
        kept = sorted((v for v in self.visits
                       if v["lastActionTimestamp"] > int(form["minTimestamp"])),
                      key=lambda v: v["lastActionTimestamp"])
        offset = int(form.get("filter_offset", 0))
        return httpx.Response(200, json=kept[offset:offset + limit])


def _read(client: MatomoClient, after: int = 0) -> list[str]:
    return [visit.visit_id for page in client.visit_pages(
        3, after=after, first_day=date(2024, 5, 1), last_day=date(2024, 5, 2)) for visit in page]


def test_keyset_pages_use_offsets_only_within_one_timestamp(matomo: respx.MockRouter) -> None:
    # LIVE_API: minTimestamp, filter_sort_order, filter_limit, filter_offset, period=range.
    live = _Live([100, *[101] * 9, 103, 104, 106])
    matomo.post("/index.php").mock(side_effect=live)
    with MatomoClient(_settings()) as client:
        ids = _read(client, after=99)
    assert ids == [str(n) for n in range(1, 14)]
    # 4 per page: three of second 101 seen, then four more of it, then one of second 104
    assert [(f["minTimestamp"], f["filter_offset"]) for f in live.forms] == [
        ("99", "0"), ("100", "3"), ("100", "7"), ("103", "1")]
    assert all(f["period"] == "range" and f["date"] == "2024-05-01,2024-05-02"
               and f["filter_sort_order"] == "asc" and f["idSite"] == "3"
               for f in live.forms)


def test_a_memory_error_halves_the_page_and_asks_again(matomo: respx.MockRouter) -> None:
    # A PHP fatal error page (HTTP 500) is what Matomo answers when memory_limit is reached.
    live = _Live(list(range(200, 211)), memory_limit=1)
    matomo.post("/index.php").mock(side_effect=live)
    with MatomoClient(_settings()) as client:
        assert _read(client) == [str(n) for n in range(1, 12)]
    assert [f["filter_limit"] for f in live.forms[:3]] == ["4", "2", "1"]


def test_a_timeout_halves_the_page_and_the_smallest_page_failing_is_an_error(
        matomo: respx.MockRouter) -> None:
    matomo.post("/index.php").mock(side_effect=httpx.ReadTimeout("slow"))
    with MatomoClient(_settings(min_page_size=2)) as client, \
            pytest.raises(MatomoOverloadError) as raised:
        _read(client)
    assert "page of 2 visits" in str(raised.value) and "memory_limit" in (raised.value.hint or "")
    assert [_form(call.request)["filter_limit"] for call in matomo.calls] == ["4", "2"]


def test_a_visit_keeps_counts_goals_and_orders_but_no_ip_fingerprint_or_urls() -> None:
    # LIVE_API: actionDetails of types action, event, goal and ecommerceOrder.
    entry = _visit(7, 1_714_600_000, userId="C-42", actionDetails=[
        {"type": "action", "url": "https://shop.example.com/p", "timestamp": 1_714_599_900},
        {"type": "goal", "goalId": "2", "goalName": "Newsletter signup", "revenue": "5.5",
         "timestamp": 1_714_599_950, "url": "https://shop.example.com/p"},
        {"type": "ecommerceOrder", "orderId": "A-1001", "revenue": "129.90", "items": "2",
         "timestamp": 1_714_600_000, "itemDetails": []},
        {"type": "event", "eventCategory": "cta", "timestamp": 1_714_600_000}])
    visit = parse_visit(entry, site_id=3)
    assert visit is not None
    assert (visit.visit_id, visit.user_id, visit.visitor_id) == ("7", "C-42", "a1b2c3d4e5f60718")
    assert (visit.pageviews, visit.events) == (1, 1)
    assert [(g.name, g.revenue) for g in visit.goals] == [("Newsletter signup", 5.5)]
    assert [(o.order_id, o.revenue) for o in visit.orders] == [("A-1001", 129.9)]
    assert visit.details == {} and "203.0.113.7" not in repr(visit)
    kept = parse_visit(entry, site_id=3, keep=["ip", "urls"])
    assert kept is not None and kept.details["ip"] == "203.0.113.7"
    assert kept.details["urls"] == ["https://shop.example.com/p"] * 2
    assert parse_visit({"idVisit": "8"}, site_id=3) is None


def test_a_page_title_about_memory_is_not_an_overload(matomo: respx.MockRouter) -> None:
    # LIVE_API: pageTitle is whatever the site's pages are called.
    visit = _visit(1, 500)
    visit["actionDetails"][0]["pageTitle"] = "Fixing 'Allowed memory size exhausted' in PHP"
    route = matomo.post("/index.php").respond(200, json=[visit])
    with MatomoClient(_settings()) as client:
        assert _read(client) == ["1"]
    assert route.call_count == 1


def test_a_server_that_ignores_paging_is_an_error_not_a_loop(matomo: respx.MockRouter) -> None:
    # LIVE_API: filter_offset and minTimestamp page; a server that drops them repeats itself.
    matomo.post("/index.php").respond(200, json=[_visit(n, 700) for n in range(1, 5)])
    with MatomoClient(_settings()) as client, pytest.raises(FatalAPIError, match="same page"):
        _read(client)
    assert matomo.calls.call_count == 2
