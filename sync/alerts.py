"""Alerts: a run failed, too many records were rejected, or no run succeeded for too long.

An alert says which client, what happened, and counts; never a secret, an e-mail address
from the data or a server's message. It goes to a webhook (JSON POST) and/or by SMTP.
Sending problems are logged, never raised: an alert must not fail a run.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any

import httpx

from connectors.http import build_client
from connectors.settings import HttpSettings
from sync.config import ClientConfig
from sync.run_summary import Outcome, RunSummary
from sync.settings import AlertSettings, SmtpSettings
from sync.store import Store
from sync.store.alerts import claim_alert
from sync.store.runs import last_success
from sync.store.types import utc_now

__all__ = ["Alert", "Delivery", "check_staleness", "deliver", "run_alerts", "send_alert",
           "trial_alert"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Alert:
    """One alert about one client."""

    client: str
    kind: str  # run_failed, rejected_share, stale
    message: str
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The JSON document a webhook receives."""
        return {"source": "suitepulse", "client": self.client, "kind": self.kind,
                "message": self.message, "details": self.details}


def run_alerts(config: ClientConfig, summary: RunSummary) -> list[Alert]:
    """The alerts a finished run calls for."""
    alerts = []
    details = {"run_id": summary.run_id, "outcome": summary.outcome.value,
               "read": summary.read, "rejected": summary.rejected}
    if summary.outcome is Outcome.FAILED:
        failed = [s.name for s in summary.streams.values() if s.error]
        alerts.append(Alert(config.client, "run_failed",
                            f"sync run of {config.client} failed"
                            + (f" (streams: {', '.join(failed)})" if failed else ""),
                            {**details, "failed_streams": failed}))
    if summary.read and summary.rejected_share > config.alerts.rejected_share:
        alerts.append(Alert(config.client, "rejected_share",
                            f"{summary.rejected} of {summary.read} records of {config.client} "
                            f"rejected ({summary.rejected_share:.1%}, threshold "
                            f"{config.alerts.rejected_share:.1%})", details))
    return alerts


def check_staleness(config: ClientConfig, store: Store, *,
                    now: datetime | None = None) -> Alert | None:
    """A ``stale`` alert when no run succeeded for longer than configured, once per period."""
    hours = config.alerts.stale_after_hours
    if hours is None:
        return None
    now = now or utc_now()
    period = timedelta(hours=hours)
    with store.transaction() as connection:
        success = last_success(connection)
        if success is not None and now - success <= period:
            return None
        if not claim_alert(connection, "stale", now=now, period=period):
            return None  # already told within this period
    since = f"since {success.isoformat(timespec='minutes')}" if success else "ever"
    return Alert(config.client, "stale", f"no successful sync run of {config.client} {since}",
                 {"last_success": success.isoformat() if success else None,
                  "stale_after_hours": hours})


@dataclass(frozen=True)
class Delivery:
    """How sending an alert through one channel went; ``target`` is a host, never a URL."""

    channel: str  # webhook, smtp
    target: str
    sent: bool
    reason: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON output."""
        return {"channel": self.channel, "target": self.target, "sent": self.sent,
                "reason": self.reason}


def trial_alert(client: str) -> Alert:
    """The alert ``suitepulse alerts test`` sends: it says it is a test, and for which client."""
    return Alert(client, "test", f"test alert from SuitePulse for {client}: alerts reach you",
                 {"test": True})


def _http_reason(error: httpx.HTTPError) -> str:
    if isinstance(error, httpx.HTTPStatusError):
        return f"HTTP {error.response.status_code}"
    return type(error).__name__


def _smtp_reason(error: OSError | smtplib.SMTPException) -> str:
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{type(error).__name__} ({error.smtp_code})"
    return type(error).__name__


def deliver(settings: AlertSettings, alert: Alert, *,
            transport: httpx.BaseTransport | None = None) -> list[Delivery]:
    """Send ``alert`` through every configured channel; one ``Delivery`` per channel."""
    deliveries = []
    if settings.webhook_url is not None:
        url = settings.webhook_url.get_secret_value()
        host = httpx.URL(url).host  # the path of a webhook URL often is its secret
        try:
            with build_client(HttpSettings(read_timeout=15), transport=transport) as client:
                client.post(url, json=alert.as_dict()).raise_for_status()
            deliveries.append(Delivery("webhook", host, True))
        except httpx.HTTPError as error:
            deliveries.append(Delivery("webhook", host, False, _http_reason(error)))
    if settings.smtp is not None:
        try:
            _send_mail(settings.smtp, alert)
            deliveries.append(Delivery("smtp", settings.smtp.host, True))
        except (OSError, smtplib.SMTPException) as error:
            deliveries.append(Delivery("smtp", settings.smtp.host, False, _smtp_reason(error)))
    return deliveries


def send_alert(settings: AlertSettings, alert: Alert, *,
               transport: httpx.BaseTransport | None = None) -> int:
    """Send ``alert`` everywhere configured, log each failure; return how many worked."""
    deliveries = deliver(settings, alert, transport=transport)
    for failed in (d for d in deliveries if not d.sent):
        log.error("alert %s via %s failed: %s", failed.channel, failed.target, failed.reason)
    return sum(d.sent for d in deliveries)


def _send_mail(smtp: SmtpSettings, alert: Alert) -> None:
    message = EmailMessage()
    message["Subject"] = f"[SuitePulse] {alert.client}: {alert.kind.replace('_', ' ')}"
    message["From"] = smtp.sender
    message["To"] = ", ".join(smtp.recipients)
    lines = [alert.message, ""] + [f"{key}: {value}" for key, value in alert.details.items()]
    message.set_content("\n".join(lines))
    context = ssl.create_default_context()
    server: smtplib.SMTP = (smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=smtp.timeout,
                                             context=context) if smtp.ssl
                            else smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout))
    with server:
        if smtp.starttls and not smtp.ssl:
            server.starttls(context=context)
        if smtp.username and smtp.password is not None:
            server.login(smtp.username, smtp.password.get_secret_value())
        server.send_message(message)
