"""``suitepulse status --all``: one line per client, broken files on their own line."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import Result

from sync.config import load_client
from sync.store import Store
from sync.store.runs import finish_run, start_run
from sync.store.types import utc_now
from tests.conftest import VALID_CLIENT

RunCli = Callable[..., Result]
WriteClient = Callable[[str, str], Path]
ALERTS = "alerts:\n  webhook_url: https://hooks.example.com/T0/s3cr3t-token\n"


@pytest.fixture(autouse=True)
def _secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACME_SECRET", "s3cr3t-value-9f2")


def _client(name: str, extra: str = "") -> str:
    return VALID_CLIENT.replace("client: acme", f"client: {name}") + extra


def _record_run(path: Path, hours_ago: float, outcome: str) -> None:
    finished = utc_now() - timedelta(hours=hours_ago)
    with Store.for_config(load_client(path).config) as store, store.transaction() as c:
        start_run(c, "run-1", started_at=finished - timedelta(minutes=2), full=False,
                  trigger="schedule")
        finish_run(c, "run-1", finished_at=finished, outcome=outcome,
                   counts={"Contacts": {"new": 3}}, errors=[])


def test_one_line_per_client_and_the_broken_one_says_why(run_cli: RunCli,
                                                          write_client: WriteClient) -> None:
    _record_run(write_client("acme", _client("acme", ALERTS)), 3.2, "ok")
    write_client("globex", _client("globex"))
    write_client("initech", _client("initech", "alerts:\n  rejected_share: 7\n"))
    result = run_cli("status", "--all")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 3
    acme, globex, initech = lines
    assert acme.startswith("acme  sync (schedule)  ok  ")
    assert "(3 h ago)" in acme and "alerts: webhook" in acme
    assert globex == "globex  never run  alerts: none"
    assert initech.startswith("initech  broken  ")
    assert ("initech.yaml:7 alerts.rejected_share: input should be less than or equal to 1"
            in initech)
    assert "s3cr3t-token" not in result.output


def test_json_is_a_list_without_secrets(run_cli: RunCli, write_client: WriteClient) -> None:
    _record_run(write_client("acme", _client("acme", ALERTS)), 26, "failed")
    write_client("globex", "client: [")
    result = run_cli("status", "--all", "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert [line["client"] for line in document] == ["acme", "globex"]
    assert document[0]["last_run"]["outcome"] == "failed"
    assert document[0]["last_run"]["kind"] == "sync"
    assert document[0]["alerts"] == ["webhook"]
    assert document[1]["ok"] is False and "globex.yaml" in document[1]["problem"]
    assert "s3cr3t-token" not in result.stdout


def test_client_and_all_together_or_neither_is_a_usage_error(run_cli: RunCli,
                                                             write_client: WriteClient) -> None:
    write_client("acme", _client("acme"))
    result = run_cli("status")
    assert result.exit_code == 2 and "name one CLIENT or give --all" in result.stderr
    result = run_cli("status", "acme", "--all")
    assert result.exit_code == 2 and "name one CLIENT or give --all" in result.stderr


def test_status_of_one_client_still_works(run_cli: RunCli, write_client: WriteClient) -> None:
    _record_run(write_client("acme", _client("acme")), 1, "ok")
    result = run_cli("status", "acme", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["runs"][0]["id"] == "run-1"
