"""``suitepulse sandbox serve`` prints how to connect, then serves (uvicorn's loop stubbed
here: the listening socket is real)."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from cli.commands import sandbox_cmd
from connectors.suitecrm import SuiteCRMClient
from sandbox import running_sandbox
from sandbox.server import free_port


def _stub_server(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    served: dict[str, Any] = {}

    def run(server: Any, sockets: list[socket.socket]) -> None:
        served.update(app=server.config.app, port=sockets[0].getsockname()[1])

    monkeypatch.setattr(sandbox_cmd.uvicorn.Server, "run", run)
    return served


def test_serve_prints_url_and_credentials(run_cli: Callable[..., Result],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    served = _stub_server(monkeypatch)
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


def test_a_busy_port_is_an_error_before_anything_is_printed(
        run_cli: Callable[..., Result]) -> None:
    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = busy.getsockname()[1]
        result = run_cli("sandbox", "serve", "--port", str(port), "--customers", "5")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "preparing" not in result.stderr and "client_secret" not in result.stderr


def test_a_kept_database_is_served_as_it_is_and_says_so(
        run_cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    _stub_server(monkeypatch)
    db = tmp_path / "kept.sqlite3"
    first = run_cli("sandbox", "serve", "--port", "0", "--customers", "12", "--db", str(db))
    assert first.exit_code == 0 and "preparing the sandbox (12 customers" in first.stderr
    again = run_cli("sandbox", "serve", "--port", "0", "--customers", "500", "--db", str(db))
    assert again.exit_code == 0, again.output
    assert "preparing" not in again.stderr
    assert f"serving {db} as it is (12 customers, seed 1" in again.stderr.replace("\n", "")


def test_fields_add_declares_a_custom_field_in_a_running_sandbox(
        run_cli: Callable[..., Result]) -> None:
    with running_sandbox(customers=5) as sb:
        added = run_cli("sandbox", "fields", "add", "Contacts.sp_clv_c", "decimal",
                        "--precision", "2", "--url", sb.base_url)
        assert added.exit_code == 0, added.output
        with SuiteCRMClient(sb.suitecrm_settings()) as client:
            meta = client.fields("Contacts")["sp_clv_c"]
        assert (meta.type, meta.precision, meta.source) == ("decimal", 2, "custom_fields")
        bad = run_cli("sandbox", "fields", "add", "Contacts.CLV", "decimal", "--url",
                      sb.base_url)
        assert bad.exit_code == 2 and "ends with _c" in bad.stderr
        free = f"http://127.0.0.1:{free_port('127.0.0.1')}"
    gone = run_cli("sandbox", "fields", "add", "Contacts.sp_x_c", "int", "--url", free)
    assert gone.exit_code == 1 and "no sandbox answers" in gone.stderr
