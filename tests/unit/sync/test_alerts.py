"""Alerts reach a webhook and an SMTP server, and carry no secret or personal data."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from sync.alerts import check_staleness, run_alerts, send_alert
from sync.pull import sync_client
from sync.settings import AlertSettings
from sync.store import Store
from tests.fake_crm import FakeCRM
from tests.unit.sync.conftest import SECRET, MakeConfig


def test_a_failed_run_alerts_the_webhook_and_by_mail(
        make_config: MakeConfig, crm: FakeCRM, store: Store,
        webhook: tuple[str, list[dict[str, Any]]], smtp_server: tuple[int, list[Any]]) -> None:
    url, received = webhook
    port, messages = smtp_server
    crm.add("Contacts", name="Ann", email1="ann.private@example.com")
    config = make_config(alerts={"webhook_url": url, "smtp": {
        "host": "127.0.0.1", "port": port, "starttls": False, "sender": "sp@example.org",
        "recipients": ["ops@example.org"]}})

    def fail(fake: FakeCRM) -> None:
        if fake.requests > 0:
            from connectors.errors import FatalAPIError
            raise FatalAPIError("server error", system="suitecrm", status=500,
                                detail="ann.private@example.com broke it")

    crm.before_request = fail
    summary = sync_client(config, store=store, connections=crm.connections())
    assert summary.outcome.value == "failed"
    assert [alert["kind"] for alert in received] == ["run_failed"]
    assert received[0]["details"]["failed_streams"] == ["Contacts", "Opportunities"]
    assert len(messages) == 1 and messages[0].rcpt_tos == ["ops@example.org"]
    everything = json.dumps(received) + messages[0].content.decode()
    assert "ann.private" not in everything and SECRET not in everything


def test_rejected_share_over_the_threshold_alerts(make_config: MakeConfig, crm: FakeCRM,
                                                  store: Store) -> None:
    for number in range(9):
        crm.add("Contacts", name=f"c{number}")
    crm.add("Contacts", name="broken", date_modified=None)
    summary = sync_client(make_config(), store=store, connections=crm.connections())
    assert [a.kind for a in run_alerts(make_config(), summary)] == ["rejected_share"]
    lenient = make_config(alerts={"rejected_share": 0.2})
    assert run_alerts(lenient, summary) == []


def test_staleness_alerts_once_per_period(make_config: MakeConfig, crm: FakeCRM,
                                          store: Store) -> None:
    config = make_config(alerts={"stale_after_hours": 6})
    crm.add("Contacts", name="Ann")
    sync_client(config, store=store, connections=crm.connections())
    now = datetime.now(UTC)
    assert check_staleness(config, store, now=now + timedelta(hours=5)) is None
    alert = check_staleness(config, store, now=now + timedelta(hours=7))
    assert alert is not None and alert.kind == "stale"
    assert check_staleness(config, store, now=now + timedelta(hours=8)) is None
    assert check_staleness(config, store, now=now + timedelta(hours=14)) is not None


def test_an_unreachable_webhook_does_not_raise() -> None:
    from sync.alerts import Alert

    settings = AlertSettings.model_validate({"webhook_url": "http://127.0.0.1:9/hook"})
    assert send_alert(settings, Alert("acme", "run_failed", "failed")) == 0
