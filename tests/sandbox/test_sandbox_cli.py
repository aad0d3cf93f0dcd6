"""``suitepulse sandbox serve`` prints how to connect, then serves (uvicorn stubbed here)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from cli.commands import sandbox_cmd


def test_serve_prints_url_and_credentials(run_cli: Callable[..., Result],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    served: dict[str, Any] = {}
    monkeypatch.setattr(sandbox_cmd.uvicorn, "run",
                        lambda app, **kwargs: served.update(app=app, **kwargs))
    result = run_cli("sandbox", "serve", "--port", "9911", "--customers", "20", "--json",
                     "--rate-429", "0.5", "--layout", "8")
    assert result.exit_code == 0, result.output
    info = json.loads(result.stdout)
    assert info["base_url"] == "http://127.0.0.1:9911"
    assert info["token_url"] == "http://127.0.0.1:9911/legacy/Api/access_token"
    assert info["client_credentials"]["client_id"]
    assert served["port"] == 9911
    assert served["app"].state.sandbox.settings.faults.rate_429 == 0.5


def test_serve_rejects_a_bad_rate(run_cli: Callable[..., Result]) -> None:
    result = run_cli("sandbox", "serve", "--rate-5xx", "2")
    assert result.exit_code == 2
    assert "--rate-5xx" in result.stderr


def test_serve_rejects_a_database_that_is_not_one(run_cli: Callable[..., Result],
                                                  tmp_path: Path) -> None:
    bogus = tmp_path / "notes.txt"
    bogus.write_text("this is not SQLite " * 100, encoding="utf-8")
    result = run_cli("sandbox", "serve", "--db", str(bogus))
    assert result.exit_code == 2
    assert "--db" in result.stderr and "Traceback" not in result.stderr
