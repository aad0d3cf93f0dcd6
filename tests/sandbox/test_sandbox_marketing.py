"""The Mailchimp- and Matomo-compatible endpoints."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import httpx

from sandbox import RunningSandbox


def test_mailchimp_members_page_and_need_the_key(sb: RunningSandbox) -> None:
    key = sb.settings.mailchimp_api_key.get_secret_value()
    url = f"{sb.base_url}/mailchimp/3.0/lists/{sb.settings.mailchimp_list_id}/members"
    assert httpx.get(url, auth=("any", "wrong")).status_code == 401
    first = httpx.get(url, params={"count": 150, "offset": 0}, auth=("any", key)).json()
    rest = httpx.get(url, params={"count": 150, "offset": 150}, auth=("any", key)).json()
    emails = [m["email_address"] for m in first["members"] + rest["members"]]
    assert first["total_items"] == len(emails) == len(set(emails)) == 200
    assert httpx.get(url.replace(sb.settings.mailchimp_list_id, "other"),
                     auth=("any", key)).status_code == 404


def test_mailchimp_campaign_activity_groups_by_email(sb: RunningSandbox) -> None:
    key = sb.settings.mailchimp_api_key.get_secret_value()
    base = f"{sb.base_url}/mailchimp/3.0"
    campaigns = httpx.get(f"{base}/campaigns", params={"count": 100}, auth=("u", key)).json()
    assert campaigns["total_items"] == len(campaigns["campaigns"]) > 0
    campaign = campaigns["campaigns"][-1]["id"]
    report = httpx.get(f"{base}/reports/{campaign}/email-activity", params={"count": 1000},
                       auth=("u", key)).json()
    assert report["total_items"] == len(report["emails"]) > 0
    assert all(e["activity"] and {a["action"] for a in e["activity"]} <= {"open", "click"}
               for e in report["emails"])


def test_matomo_visits_by_time_and_token(sb: RunningSandbox) -> None:
    url = f"{sb.base_url}/matomo/index.php"
    params = {"module": "API", "method": "Live.getLastVisitsDetails", "idSite": "1",
              "format": "JSON", "token_auth": sb.settings.matomo_token.get_secret_value(),
              "filter_limit": "50", "filter_sort_order": "asc"}
    visits = httpx.get(url, params=params).json()
    stamps = [v["lastActionTimestamp"] for v in visits]
    assert len(visits) == 50 and stamps == sorted(stamps)
    later = httpx.get(url, params={**params, "minTimestamp": str(stamps[-1])}).json()
    assert later and all(v["lastActionTimestamp"] > stamps[-1] for v in later)
    assert any(v["userId"] and "@" in v["userId"] for v in visits + later)
    denied = httpx.get(url, params={**params, "token_auth": "nope"}).json()
    assert denied["result"] == "error"


def test_email_messages_are_listed_for_mailbox_loading(sb: RunningSandbox) -> None:
    url = f"{sb.base_url}/sandbox/email-messages"
    messages = httpx.get(url, params={"limit": 10_000}).json()["messages"]
    assert messages and all("@" in m["email"] for m in messages)
    stamps = [m["sent_at"] for m in messages]
    assert stamps == sorted(stamps)
    middle = stamps[len(stamps) // 2]
    later = httpx.get(url, params={"since": middle, "limit": 10_000}).json()["messages"]
    assert [m["sent_at"] for m in later] == [s for s in stamps if s >= middle]


def test_mailchimp_reports_members_filters_and_bare_403(sb: RunningSandbox) -> None:
    key = sb.settings.mailchimp_api_key.get_secret_value()
    base = f"{sb.base_url}/mailchimp/3.0"
    reports = httpx.get(f"{base}/reports", params={"since_send_time": "2000-01-01T00:00:00Z"},
                        auth=("u", key)).json()["reports"]
    assert reports and all(r["opens"]["last_open"] >= r["send_time"] for r in reports)
    members = f"{base}/lists/{sb.settings.mailchimp_list_id}/members"
    listed = httpx.get(members, params={"count": 1000, "sort_field": "last_changed"},
                       auth=("u", key)).json()["members"]
    stamps = [m["last_changed"] for m in listed]
    assert stamps == sorted(stamps)
    middle = stamps[len(stamps) // 2]
    after = httpx.get(members, params={"count": 1000, "since_last_changed": middle},
                      auth=("u", key)).json()["members"]
    assert {m["last_changed"] for m in after} == {s for s in stamps if s > middle}
    denied = httpx.get(members, auth=("u", "wrong"))
    assert denied.headers["content-type"] == "application/problem+json"
    assert denied.json()["title"] == "API Key Invalid"
    sb.faults.rate_403_bare = 1.0
    try:
        throttled = httpx.get(members, auth=("u", key))
    finally:
        sb.faults.rate_403_bare = 0.0
    assert (throttled.status_code, throttled.content) == (403, b"")


def _matomo(sb: RunningSandbox, **form: str) -> httpx.Response:
    return httpx.post(f"{sb.base_url}/matomo/index.php",
                      params={"module": "API", "format": "JSON"},
                      data={"token_auth": sb.settings.matomo_token.get_secret_value(),
                            "idSite": "1", **form})


def test_matomo_site_range_in_its_timezone_and_errors_with_status_200(
        sb: RunningSandbox) -> None:
    site = _matomo(sb, method="SitesManager.getSiteFromId").json()
    zone = ZoneInfo(site["timezone"])
    assert site["timezone"] == sb.settings.matomo_timezone and site["currency"]
    everything = _matomo(sb, method="Live.getLastVisitsDetails", filter_limit="-1",
                         filter_sort_order="asc").json()
    day = datetime.fromtimestamp(everything[len(everything) // 2]["lastActionTimestamp"],
                                 zone).date()
    one_day = _matomo(sb, method="Live.getLastVisitsDetails", period="range",
                      date=f"{day},{day}", filter_limit="-1").json()
    assert one_day and {v["idVisit"] for v in one_day} == {
        v["idVisit"] for v in everything
        if datetime.fromtimestamp(v["lastActionTimestamp"], zone).date() == day}
    kinds = {step["type"] for v in everything for step in v["actionDetails"]}
    assert {"action", "goal", "ecommerceOrder"} <= kinds
    refused = _matomo(sb, method="Live.getLastVisitsDetails", token_auth="wrong")
    assert refused.status_code == 200 and refused.json()["result"] == "error"


def test_matomo_visits_log_switch_and_memory_fault(sb: RunningSandbox) -> None:
    faults = sb.settings.faults
    try:
        faults.matomo_visits_log = "off_for_site"
        answer = _matomo(sb, method="Live.getLastVisitsDetails", filter_limit="1")
        assert answer.status_code == 200
        assert "deactivated in website settings" in answer.json()["message"]
        faults.matomo_visits_log = "off_globally"
        assert "deactivated globally" in _matomo(
            sb, method="Live.getLastVisitsDetails").json()["message"]
        faults.matomo_visits_log = "on"
        faults.matomo_memory_visits = 5
        heavy = _matomo(sb, method="Live.getLastVisitsDetails", filter_limit="6")
        assert heavy.status_code == 500 and "Allowed memory size" in heavy.text
        assert len(_matomo(sb, method="Live.getLastVisitsDetails", filter_limit="5").json()) == 5
    finally:
        faults.matomo_visits_log = "on"
        faults.matomo_memory_visits = None
