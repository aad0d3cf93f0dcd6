"""``suitepulse schedule`` as an admin uses it: --check before starting, broken files left out."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from click.testing import Result

from sync.config import LoadedConfig
from tests.conftest import VALID_CLIENT

RunCli = Callable[..., Result]
WriteClient = Callable[[str, str], Path]
SCHEDULE = "schedule:\n  cron: '0 3 * * *'\n  timezone: Europe/Berlin\n"


@pytest.fixture(autouse=True)
def _secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACME_SECRET", "s3cr3t-value-9f2")


def _client(name: str, extra: str = SCHEDULE) -> str:
    return VALID_CLIENT.replace("client: acme", f"client: {name}") + extra


def test_check_lists_every_broken_client_and_exits_2(run_cli: RunCli,
                                                     write_client: WriteClient) -> None:
    write_client("acme", _client("acme"))
    write_client("globex", _client("globex", "schedule:\n  cron: '0 25 * * *'\n"
                                             "  timezone: Europe/Berlin\n"))
    write_client("initech", _client("initech", SCHEDULE + "  pagesize: 5\n"))
    result = run_cli("schedule", "--check")
    assert result.exit_code == 2
    assert "globex.yaml:7 schedule.cron: not a valid cron expression" in result.stderr
    assert "initech.yaml:9 schedule.pagesize: unknown key" in result.stderr
    assert "acme.yaml" not in result.stderr
    assert "Traceback" not in result.output


def test_check_passes_when_every_client_is_fine(run_cli: RunCli,
                                                write_client: WriteClient) -> None:
    write_client("acme", _client("acme"))
    write_client("globex", _client("globex"))
    result = run_cli("schedule", "--check")
    assert result.exit_code == 0, result.output
    assert "ok: 2 scheduled client(s)" in result.stdout


def test_broken_client_is_reported_and_the_healthy_ones_are_scheduled(
        run_cli: RunCli, write_client: WriteClient, monkeypatch: pytest.MonkeyPatch) -> None:
    served: list[str] = []

    def fake_serve(clients: Sequence[LoadedConfig], _config_dir: Path, *,
                   jobstore_url: str | None = None) -> None:
        served.extend(item.config.client for item in clients)

    monkeypatch.setattr("cli.commands.schedule_cmd.serve", fake_serve)
    write_client("acme", _client("acme"))
    write_client("globex", _client("globex", "schedule:\n  cron: '0 25 * * *'\n"
                                             "  timezone: Europe/Berlin\n"))
    result = run_cli("schedule")
    assert result.exit_code == 0, result.output
    assert served == ["acme"]
    assert "globex.yaml:7 schedule.cron" in result.stderr
    assert "not scheduled" in result.stderr


def test_named_client_without_schedule_is_a_usage_error(run_cli: RunCli,
                                                         write_client: WriteClient) -> None:
    write_client("acme", _client("acme", ""))
    result = run_cli("schedule", "--check", "acme")
    assert result.exit_code == 2
    assert "acme.yaml schedule: missing" in result.stderr
