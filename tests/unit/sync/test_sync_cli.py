"""``suitepulse sync`` and ``suitepulse status`` as an admin uses them."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from sync.config import load_client
from sync.pull import sync_client
from sync.store import Store
from tests.conftest import VALID_CLIENT
from tests.fake_crm import FakeCRM

RunCli = Callable[..., Result]


@pytest.fixture(autouse=True)
def _secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACME_SECRET", "x")


def _client(write_client: Callable[[str, str], Path]) -> Path:
    return write_client("acme", VALID_CLIENT)


def test_status_shows_runs_cursors_and_size(run_cli: RunCli,
                                            write_client: Callable[[str, str], Path]) -> None:
    path = _client(write_client)
    config = load_client(path).config
    crm = FakeCRM()
    for number in range(3):
        crm.add("Accounts", name=f"a{number}")
    with Store.for_config(config) as store:
        sync_client(config, store=store, connections=crm.connections())
    result = run_cli("status", "acme", "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["runs"][0]["outcome"] == "ok"
    assert document["runs"][0]["counts"]["Accounts"]["new"] == 3
    assert {c["stream"] for c in document["cursors"]} >= {"Accounts"}
    assert document["store"]["size_bytes"] > 0
    table = run_cli("status", "acme")
    assert "Accounts" in table.stdout and "ok" in table.stdout


def test_status_says_how_long_interactions_and_deleted_records_are_kept(
        run_cli: RunCli, write_client: Callable[[str, str], Path]) -> None:
    write_client("acme", VALID_CLIENT + "privacy:\n  interactions_days: 90\n")
    document = json.loads(run_cli("status", "acme", "--json").stdout)
    assert document["retention"] == {"interactions_days": 90, "keep_deleted_days": 30}
    table = run_cli("status", "acme").stdout
    assert "interactions are kept 90 days" in table
    assert "erased after 30 days" in table


def test_sync_while_another_run_holds_the_lock_exits_1(
        run_cli: RunCli, write_client: Callable[[str, str], Path]) -> None:
    config = load_client(_client(write_client)).config
    with Store.for_config(config) as store, store.lock("run:acme"):
        result = run_cli("sync", "acme", "--json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["error"]["type"] == "StateError"
    assert "in progress" in document["error"]["message"]


def test_status_names_the_value_model_and_why_its_traits_are_empty(
        run_cli: RunCli, write_client: Callable[[str, str], Path]) -> None:
    from sync.enrich_step import enrich_with_model

    config = load_client(_client(write_client)).config
    crm = FakeCRM()
    crm.add("Accounts", name="a0")
    with Store.for_config(config) as store:
        sync_client(config, store=store, connections=crm.connections())
        before = json.loads(run_cli("status", "acme", "--json").stdout)
        assert before["value_model"] is None
        _, report = enrich_with_model(config, store)
    document = json.loads(run_cli("status", "acme", "--json").stdout)
    assert document["value_model"] == report
    assert document["value_model"]["value_traits_written"] is False
    assert document["value_model"]["reasons"] == ["no purchases"]
    assert document["value_model"]["fitted_at"]
    table = run_cli("status", "acme")
    assert "value model: none (no purchases)" in table.stdout
