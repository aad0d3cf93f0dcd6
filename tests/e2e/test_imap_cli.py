"""``suitepulse check`` and ``status`` for IMAP accounts, against the test Dovecot."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import respx
from click.testing import Result

from sync.config import load_client
from sync.pull import sync_client
from tests.dovecot import PASSWORD, Dovecot
from tests.fake_crm import FakeCRM
from tests.imap_mail import OURS, deliver, message, unique_user
from tests.unit.test_check_cmd import CLIENT, _fields, crm

pytestmark = pytest.mark.e2e
__all__ = ["crm"]  # the SuiteCRM of ``check``, answered by respx

WriteClient = Callable[[str, str], Path]


def _with_imap(server: Dovecot, user: str, *, folders: str = "[]") -> str:
    return CLIENT + (
        "sources:\n  imap:\n"
        f"    - name: sales\n      host: {server.host}\n      port: {server.port}\n"
        f"      tls: false\n      username: {user}\n      password: ${{ACME_IMAP_PASSWORD}}\n"
        f"      own_addresses: [{OURS}]\n      folders: {folders}\n")


def _env(password: str = PASSWORD) -> dict[str, str]:
    return {"ACME_SECRET": "secret-value-1", "ACME_IMAP_PASSWORD": password}


def test_check_logs_in_and_counts_the_folders_it_will_read(
        dovecot: Dovecot, crm: respx.MockRouter, run_cli: Callable[..., Result],
        write_client: WriteClient) -> None:
    crm.get("/Api/V8/meta/fields/Accounts").respond(
        200, json=_fields("name", "sp_lifecycle_stage_c", "sp_clv_c"))
    user = unique_user("check")
    deliver(dovecot, user, [message(), message()])
    deliver(dovecot, user, [message(OURS, "ann@customer.example")], folder="Sent")
    write_client("acme", _with_imap(dovecot, user))
    result = run_cli("check", "acme", "--json", env=_env())
    assert result.exit_code == 0, result.output
    (imap,) = json.loads(result.stdout)["imap"]
    assert imap["ok"] and imap["folders"] == [{"name": "INBOX", "messages": 2},
                                              {"name": "Sent", "messages": 1}]
    shown = run_cli("check", "acme", env=_env())
    assert "INBOX" in shown.stdout and "Sent" in shown.stdout


def test_check_fails_on_a_wrong_password_without_showing_it(
        dovecot: Dovecot, crm: respx.MockRouter, run_cli: Callable[..., Result],
        write_client: WriteClient) -> None:
    crm.get("/Api/V8/meta/fields/Accounts").respond(
        200, json=_fields("name", "sp_lifecycle_stage_c", "sp_clv_c"))
    write_client("acme", _with_imap(dovecot, unique_user("check-bad"), folders="[INBOX, Nope]"))
    result = run_cli("check", "acme", "--json", env=_env("wrong-password-9"))
    assert result.exit_code == 1
    (imap,) = json.loads(result.stdout)["imap"]
    assert not imap["ok"] and "refused the login" in imap["error"]
    assert "wrong-password-9" not in result.stdout + result.stderr


def test_check_names_a_folder_that_does_not_exist(
        dovecot: Dovecot, crm: respx.MockRouter, run_cli: Callable[..., Result],
        write_client: WriteClient) -> None:
    crm.get("/Api/V8/meta/fields/Accounts").respond(
        200, json=_fields("name", "sp_lifecycle_stage_c", "sp_clv_c"))
    write_client("acme", _with_imap(dovecot, unique_user("check-nf"), folders="[INBOX, Nope]"))
    result = run_cli("check", "acme", "--json", env=_env())
    assert result.exit_code == 1
    (imap,) = json.loads(result.stdout)["imap"]
    assert imap["error"] == "no such folder: Nope"
    assert imap["folders"] == [{"name": "INBOX", "messages": 0}]


def test_status_shows_each_folders_state(
        dovecot: Dovecot, run_cli: Callable[..., Result], write_client: WriteClient,
        monkeypatch: pytest.MonkeyPatch) -> None:
    user = unique_user("status")
    deliver(dovecot, user, [message(), message("bob@customer.example")])
    path = write_client("acme", _with_imap(dovecot, user, folders="[INBOX]"))
    for name, value in _env().items():
        monkeypatch.setenv(name, value)
    sync_client(load_client(path).config, connections=FakeCRM().connections())
    result = run_cli("status", "acme", "--json", env=_env())
    assert result.exit_code == 0, result.output
    cursors = {c["stream"]: c["cursor"] for c in json.loads(result.stdout)["cursors"]}
    state = cursors["imap:sales:INBOX"]
    assert state.startswith("uidvalidity ") and "last uid 2" in state and "modseq" in state
