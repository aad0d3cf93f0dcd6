"""The Mailchimp connector and streams against respx routes shaped like Mailchimp's documents.

Each reply below is built from the shape on the documentation page named next to it; the
data in them is made up.
"""

from __future__ import annotations

import base64
from contextlib import nullcontext
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import respx
from pydantic import ValidationError

from connectors.errors import AuthError, RetriableError
from connectors.mail.mailchimp import MailchimpClient
from connectors.mail.settings import MailchimpSettings
from sync.streams.mailchimp import CampaignActivityStream, MemberStream, UnsubscribeStream

API = "https://us21.api.mailchimp.com/3.0"
NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
FAST = {"backoff_initial": 0, "backoff_max": 0, "max_retries": 3}


def _settings(**values: Any) -> MailchimpSettings:
    return MailchimpSettings.model_validate(
        {"api_key": "0123456789abcdef0123456789abcdef-us21", "audience_id": "57afe96172",
         "http": FAST, **values})


def _client(settings: MailchimpSettings | None = None) -> MailchimpClient:
    return MailchimpClient(settings or _settings(), sleep=lambda _s: None)


def _member(number: int, changed: str, status: str = "subscribed") -> dict[str, Any]:
    # https://mailchimp.com/developer/marketing/api/list-members/list-members-info/
    return {"id": f"{number:032x}", "email_address": f"person{number}@example.com",
            "unique_email_id": "882e9bec19", "contact_id": "f3c6d4ed0b", "full_name": "Ann Lee",
            "web_id": 123, "email_type": "html", "status": status,
            "merge_fields": {"FNAME": "Ann", "LNAME": "Lee"}, "ip_signup": "",
            "timestamp_signup": "", "ip_opt": "198.51.100.1",
            "timestamp_opt": "2025-01-09T10:11:12+00:00", "member_rating": 4,
            "last_changed": changed, "language": "", "vip": False, "email_client": "",
            "location": {"latitude": 0, "longitude": 0}, "source": "API - Generic",
            "tags_count": 1, "tags": [{"id": 31, "name": "vip"}], "list_id": "57afe96172"}


def _problem(status: int, title: str, detail: str) -> httpx.Response:
    # https://mailchimp.com/developer/marketing/docs/errors/
    return httpx.Response(status, headers={"content-type": "application/problem+json"}, json={
        "type": "https://mailchimp.com/developer/marketing/docs/errors/", "title": title,
        "status": status, "detail": detail, "instance": "995c5cb0-3280-4a6e-808b-3b096d0bb219"})


def test_the_key_s_suffix_names_the_data_centre_and_goes_over_basic_auth() -> None:
    # https://mailchimp.com/developer/marketing/docs/fundamentals/#connecting-to-the-api
    with respx.mock(assert_all_called=True) as mock:
        route = mock.get(f"{API}/lists").respond(json={
            # https://mailchimp.com/developer/marketing/api/lists/get-lists-info/
            "lists": [{"id": "57afe96172", "name": "Newsletter", "stats": {"member_count": 42}}],
            "total_items": 1})
        with _client() as client:
            audiences = client.audiences()
            assert client.datacenter == "us21"
    user, _, key = base64.b64decode(
        route.calls[0].request.headers["authorization"].split()[1]).decode().partition(":")
    assert key.endswith("-us21") and user
    assert [(a.id, a.member_count) for a in audiences] == [("57afe96172", 42)]
    assert route.calls[0].request.url.params["count"] == "500"


def test_an_oauth_token_is_sent_as_bearer_with_the_data_centre_given() -> None:
    # https://mailchimp.com/developer/marketing/guides/access-user-data-oauth-2/
    settings = MailchimpSettings.model_validate(
        {"oauth_token": "tok3n", "datacenter": "us6", "audience_id": "57afe96172"})
    with respx.mock() as mock:
        route = mock.get("https://us6.api.mailchimp.com/3.0/lists").respond(
            json={"lists": [], "total_items": 0})
        with _client(settings) as client:
            client.audiences()
    assert route.calls[0].request.headers["authorization"] == "Bearer tok3n"


def test_settings_refuse_what_cannot_work() -> None:
    with pytest.raises(ValidationError, match="data centre"):
        MailchimpSettings.model_validate({"api_key": "nosuffix", "audience_id": "a"})
    with pytest.raises(ValidationError, match="datacenter"):
        MailchimpSettings.model_validate({"oauth_token": "t", "audience_id": "a"})
    with pytest.raises(ValidationError, match="120 s"):
        _settings(http={"read_timeout": 120})
    with pytest.raises(ValidationError, match="audience"):
        MailchimpSettings.model_validate({"api_key": "k-us1"})


@pytest.mark.parametrize("status", [401, 403])
def test_a_problem_document_on_401_or_403_is_an_auth_error_with_title_and_detail(
        status: int) -> None:
    with respx.mock() as mock:
        route = mock.get(f"{API}/lists").mock(return_value=_problem(
            status, "API Key Invalid", "Your API key may be invalid."))
        with _client() as client, pytest.raises(AuthError) as caught:
            client.audiences()
    assert route.call_count == 1  # not retried
    assert caught.value.detail == "API Key Invalid: Your API key may be invalid."
    assert "0123456789abcdef" not in str(caught.value)


@pytest.mark.parametrize("failure", [
    httpx.Response(403), httpx.Response(429, json={"title": "Too Many Requests"}),
    httpx.Response(500), _problem(503, "Service Unavailable", "Try again."),
    httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("dropped"),
], ids=["403-without-body", "429", "500", "503", "timeout", "dropped"])
def test_throttling_server_errors_and_timeouts_are_retried(failure: object) -> None:
    with respx.mock() as mock:
        route = mock.get(f"{API}/lists").mock(side_effect=[
            failure, httpx.Response(200, json={"lists": [], "total_items": 0})])
        with _client() as client:
            assert client.audiences() == []
    assert route.call_count == 2


def test_retries_give_up_with_a_retriable_error() -> None:
    with respx.mock() as mock:
        mock.get(f"{API}/lists").mock(return_value=httpx.Response(403))
        with _client() as client, pytest.raises(RetriableError, match="throttled"):
            client.audiences()


def test_members_are_asked_for_by_last_changed_and_keep_no_names() -> None:
    settings = _settings(overlap_seconds=300)
    page = [_member(1, "2026-12-01T08:00:00+00:00"), _member(2, "2026-12-01T09:30:00+00:00")]
    with respx.mock() as mock:
        route = mock.get(f"{API}/lists/57afe96172/members").respond(json={
            "members": page, "list_id": "57afe96172", "total_items": 2})
        with _client(settings) as client:
            stream = MemberStream(lambda: nullcontext(client), settings, "57afe96172",
                                  clock=lambda: NOW)
            rows = [row for p in stream.read(datetime(2026, 12, 1, tzinfo=UTC)) for row in p]
    params = route.calls[0].request.url.params
    assert params["since_last_changed"] == "2026-11-30T23:55:00+00:00"
    assert params["before_last_changed"] == "2026-12-03T11:59:00+00:00"
    assert (params["sort_field"], params["sort_dir"], params["count"]) == (
        "last_changed", "ASC", "500")
    assert "status" not in params
    assert rows[0] == {
        "id": f"57afe96172:{1:032x}", "occurred_at": datetime(2026, 12, 1, 8, tzinfo=UTC),
        "last_changed": datetime(2026, 12, 1, 8, tzinfo=UTC), "kind": "subscribed",
        "mailchimp_email": "person1@example.com", "audience": "57afe96172",
        "timestamp_opt": "2025-01-09T10:11:12+00:00", "member_rating": 4, "tags": ["vip"]}


def test_a_page_of_one_second_is_paged_on_by_offset_and_deduplicated() -> None:
    settings = _settings(page_size=10)
    stamp = "2026-12-01T08:00:00+00:00"
    same_second = [_member(n, stamp) for n in range(25)]
    later = [_member(100, "2026-12-01T09:00:00+00:00")]

    def reply(request: httpx.Request) -> httpx.Response:
        offset = int(request.url.params["offset"])
        since = request.url.params.get("since_last_changed")
        rows = same_second + later if since is None or since < stamp else later
        return httpx.Response(200, json={"members": rows[offset:offset + 10],
                                         "total_items": len(rows)})

    with respx.mock() as mock:
        route = mock.get(f"{API}/lists/57afe96172/members").mock(side_effect=reply)
        with _client(settings) as client:
            stream = MemberStream(lambda: nullcontext(client), settings, "57afe96172",
                                  clock=lambda: NOW)
            ids = [row["id"] for page in stream.read(None) for row in page]
    assert len(ids) == len(set(ids)) == 26
    assert {call.request.url.params.get("since_last_changed") for call in route.calls} == {
        None, "2026-12-01T07:59:59+00:00"}  # offsets only within that second


def test_archived_and_unsubscribed_sweeps() -> None:
    settings = _settings()
    with respx.mock() as mock:
        route = mock.get(f"{API}/lists/57afe96172/members").respond(json={
            "members": [_member(3, "2026-12-02T10:00:00+00:00", "unsubscribed")],
            "total_items": 1})
        with _client(settings) as client:
            archived = MemberStream(lambda: nullcontext(client), settings, "57afe96172",
                                    archived=True, clock=lambda: NOW)
            list(archived.read(None))
            unsubscribes = UnsubscribeStream(lambda: nullcontext(client), settings,
                                             "57afe96172", clock=lambda: NOW)
            rows = [r for p in unsubscribes.read(datetime(2026, 12, 2, tzinfo=UTC)) for r in p]
    assert route.calls[0].request.url.params["status"] == "archived"
    params = route.calls[1].request.url.params
    assert (params["status"], params["unsubscribed_since"]) == (
        "unsubscribed", "2026-12-01T23:55:00+00:00")
    assert [(r["kind"], r["occurred_at"]) for r in rows] == [
        ("unsubscribe", datetime(2026, 12, 2, 10, tzinfo=UTC))]


def _report(sent: str, last_open: str, last_click: str) -> dict[str, Any]:
    # https://mailchimp.com/developer/marketing/api/reports/list-campaign-reports/
    return {"id": "42694e9e57", "campaign_title": "Winter", "type": "regular",
            "list_id": "57afe96172", "list_is_active": True, "list_name": "Newsletter",
            "subject_line": "Winter", "emails_sent": 2, "abuse_reports": 0,
            "unsubscribed": 0, "send_time": sent,
            "bounces": {"hard_bounces": 1, "soft_bounces": 0, "syntax_errors": 0},
            "opens": {"opens_total": 3, "unique_opens": 1, "open_rate": 0.5,
                      "last_open": last_open},
            "clicks": {"clicks_total": 1, "unique_clicks": 1, "click_rate": 0.5,
                       "last_click": last_click}}


def _activity() -> dict[str, Any]:
    # https://mailchimp.com/developer/marketing/api/email-activity-reports/list-email-activity/
    return {"emails": [
        {"campaign_id": "42694e9e57", "list_id": "57afe96172", "list_is_active": True,
         "email_id": "a" * 32, "email_address": "ann@example.com", "activity": [
             {"action": "open", "timestamp": "2026-11-02T09:00:00+00:00", "ip": "198.51.100.2"},
             {"action": "open", "timestamp": "2026-11-02T09:00:00+00:00", "ip": "198.51.100.2"},
             {"action": "click", "timestamp": "2026-11-02T09:01:00+00:00",
              "url": "https://example.com/a", "ip": "198.51.100.2"}]},
        {"campaign_id": "42694e9e57", "list_id": "57afe96172", "list_is_active": True,
         "email_id": "b" * 32, "email_address": "bob@example.com", "activity": [
             {"action": "bounce", "type": "hard", "timestamp": "2026-11-01T08:05:00+00:00"}]},
    ], "campaign_id": "42694e9e57", "total_items": 2}


def test_campaign_activity_first_read_sent_opens_clicks_bounces_in_time_order() -> None:
    settings = _settings()
    report = _report("2026-11-01T08:00:00+00:00", "2026-11-02T09:00:00+00:00",
                     "2026-11-02T09:01:00+00:00")
    with respx.mock() as mock:
        mock.get(f"{API}/reports/42694e9e57/sent-to").respond(json={
            # https://mailchimp.com/developer/marketing/api/sent-to-reports/list-campaign-recipients/
            "sent_to": [{"email_id": "a" * 32, "email_address": "ann@example.com",
                         "status": "sent", "open_count": 2, "last_open": ""},
                        {"email_id": "b" * 32, "email_address": "bob@example.com",
                         "status": "hard", "open_count": 0, "last_open": ""}],
            "campaign_id": "42694e9e57", "total_items": 2})
        activity = mock.get(f"{API}/reports/42694e9e57/email-activity").respond(
            json=_activity())
        with _client(settings) as client:
            stream = CampaignActivityStream(lambda: nullcontext(client), settings, report,
                                            clock=lambda: NOW)
            rows = [row for page in stream.read(None) for row in page]
    assert "since" not in activity.calls[0].request.url.params
    assert [(r["kind"], r["mailchimp_email"]) for r in rows] == [
        ("sent", "ann@example.com"), ("sent", "bob@example.com"),
        ("bounce_hard", "bob@example.com"), ("open", "ann@example.com"),
        ("click", "ann@example.com")]  # the open shown twice is one interaction
    stamps = [r["occurred_at"] for r in rows]
    assert stamps == sorted(stamps)


def test_a_still_campaign_is_not_read_and_a_moved_one_is_read_from_its_bookmark() -> None:
    settings = _settings()
    bookmark = datetime(2026, 11, 2, 9, 1, tzinfo=UTC)
    still = _report("2026-11-01T08:00:00+00:00", "2026-11-02T09:00:00+00:00",
                    "2026-11-02T09:01:00+00:00")
    moved = _report("2026-11-01T08:00:00+00:00", "2026-11-02T09:00:00+00:00",
                    "2026-12-03T10:00:00+00:00")
    fresh = _report("2026-11-30T08:00:00+00:00", "", "")
    with respx.mock() as mock:
        route = mock.get(f"{API}/reports/42694e9e57/email-activity").respond(
            json={"emails": [], "total_items": 0})
        with _client(settings) as client:
            for report in (still, moved, fresh):
                stream = CampaignActivityStream(lambda: nullcontext(client), settings, report,
                                                lookback=timedelta(minutes=2),
                                                clock=lambda: NOW)
                list(stream.read(bookmark - timedelta(minutes=2)))
    assert [call.request.url.params["since"] for call in route.calls] == [
        "2026-11-02T08:49:00+00:00"] * 2  # the moved one, and the one sent 3 days ago
