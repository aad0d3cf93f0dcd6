"""``suitepulse forget``: one of --email / --record, JSON without the address, audited."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from tests.conftest import VALID_CLIENT

RunCli = Callable[..., Result]


@pytest.fixture(autouse=True)
def _client(monkeypatch: pytest.MonkeyPatch,
            write_client: Callable[[str, str], Path]) -> None:
    monkeypatch.setenv("ACME_SECRET", "s3cr3t-value-9f2")
    write_client("acme", VALID_CLIENT)


def test_forget_needs_exactly_one_of_email_and_record(run_cli: RunCli) -> None:
    result = run_cli("forget", "acme")
    assert result.exit_code == 2
    assert "--email" in result.stderr


def test_forget_json_names_no_address(run_cli: RunCli) -> None:
    result = run_cli("forget", "acme", "--email", "ann@example.com", "--dry-run", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {"ok": True, "dry_run": True, "records": [],
                                         "unlinked_interactions": 0}
    assert "ann@example.com" not in result.stdout + result.stderr


def test_a_bad_record_says_where_and_what(run_cli: RunCli) -> None:
    result = run_cli("forget", "acme", "--record", "Contacts")
    assert result.exit_code != 0
    assert "--record" in result.stderr and "MODULE:ID" in result.stderr
