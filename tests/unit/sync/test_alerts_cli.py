"""``suitepulse alerts test``: a test alert through each channel, one line per channel."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from tests.conftest import VALID_CLIENT
from tests.unit.sync.conftest import SECRET

RunCli = Callable[..., Result]
WriteClient = Callable[[str, str], Path]
SMTP_PASSWORD = "smtp-pw-77aa"


@pytest.fixture(autouse=True)
def _secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACME_SECRET", "s3cr3t-value-9f2")


def _alerts(url: str, port: int) -> str:
    return (f"alerts:\n  webhook_url: {url}\n  smtp: {{host: 127.0.0.1, port: {port}, "
            f"starttls: false, sender: sp@example.org, recipients: [ops@example.org]}}\n")


def test_every_channel_gets_the_test_alert(
        run_cli: RunCli, write_client: WriteClient,
        webhook: tuple[str, list[dict[str, Any]]], smtp_server: tuple[int, list[Any]]) -> None:
    url, received = webhook
    port, messages = smtp_server
    write_client("acme", VALID_CLIENT + _alerts(url, port))
    result = run_cli("alerts", "test", "acme")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["webhook 127.0.0.1: sent", "smtp 127.0.0.1: sent"]
    assert len(received) == 1
    assert received[0]["client"] == "acme" and received[0]["kind"] == "test"
    assert "acme" in received[0]["message"]
    assert len(messages) == 1 and messages[0].rcpt_tos == ["ops@example.org"]
    assert "[SuitePulse] acme: test" in messages[0].content.decode()
    assert SECRET not in result.output


def test_a_failing_channel_says_why_and_exits_1(
        run_cli: RunCli, write_client: WriteClient,
        webhook: tuple[str, list[dict[str, Any]]]) -> None:
    url, received = webhook
    write_client("acme", VALID_CLIENT + _alerts(url, 9).replace(
        "starttls: false,", f"starttls: false, username: u, password: {SMTP_PASSWORD},"))
    result = run_cli("alerts", "test", "acme", "--json")
    assert result.exit_code == 1, result.output
    document = json.loads(result.stdout)
    assert document["ok"] is False
    assert [(c["channel"], c["sent"]) for c in document["channels"]] == [("webhook", True),
                                                                         ("smtp", False)]
    assert document["channels"][1]["reason"] == "ConnectionRefusedError"
    assert len(received) == 1
    assert SECRET not in result.output and SMTP_PASSWORD not in result.output


def test_a_webhook_answering_404_fails_with_the_status(
        run_cli: RunCli, write_client: WriteClient,
        webhook: tuple[str, list[dict[str, Any]]]) -> None:
    url, _received = webhook
    write_client("acme", VALID_CLIENT + f"alerts:\n  webhook_url: http://{url.split('/')[2]}"
                 f"/nowhere/{SECRET}\n")
    result = run_cli("alerts", "test", "acme")
    assert result.exit_code == 1, result.output
    assert result.stdout.strip() == "webhook 127.0.0.1: failed (HTTP 404)"
    assert SECRET not in result.output


def test_no_channel_is_a_configuration_error(run_cli: RunCli,
                                              write_client: WriteClient) -> None:
    write_client("acme", VALID_CLIENT)
    result = run_cli("alerts", "test", "acme")
    assert result.exit_code == 2
    assert "acme.yaml alerts: no alert channel configured" in result.stderr
