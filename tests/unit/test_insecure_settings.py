"""Insecure settings are loud: one warning each per command, listed by ``check``, and
``init`` makes an existing ``.env`` private."""

from __future__ import annotations

import json
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import respx
from click.testing import Result

from sync.config import load_client
from sync.insecure_settings import insecure_settings, secret_files
from sync.store import Store
from tests.conftest import VALID_CLIENT

RunCli = Callable[..., Result]
WriteClient = Callable[[str, str], Path]
SECRET = "s3cr3t-value-7c1"
HOOK_TOKEN = "hook-token-55aa"

INSECURE = f"""\
client: acme
suitecrm:
  base_url: http://crm.example.com
  client_id: 10c94ee0-623a-0c4d-b9aa-6b03f65b345c
  client_secret: ${{ACME_SECRET}}
  http:
    verify_tls: false
sync:
  modules: [Accounts, Contacts, Opportunities]
sources:
  matomo:
    base_url: http://stats.example.com
    token_auth: ${{ACME_SECRET}}
    site_id: 1
alerts:
  webhook_url: http://hooks.example.com/{HOOK_TOKEN}
"""


@pytest.fixture(autouse=True)
def _secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACME_SECRET", SECRET)


def _insecure_client(write_client: WriteClient, clients_dir: Path) -> Path:
    path = write_client("acme", INSECURE)
    env_file = clients_dir / ".env"
    env_file.write_text("OTHER=1\n", encoding="utf-8")
    env_file.chmod(0o644)
    return path


def _store_file(path: Path) -> Path:
    """Create the client's SQLite store, then make it readable by everyone."""
    config = load_client(path).config
    with Store.for_config(config):
        pass
    store = secret_files(load_client(path)).store_file
    assert store is not None and store.is_file()
    store.chmod(0o644)
    return store


EXPECTED = ["suitecrm.base_url", "suitecrm.http.verify_tls", "sources.matomo.base_url",
            "alerts.webhook_url", ".env", "acme.sqlite3"]


def test_each_warning_appears_once_per_command(run_cli: RunCli, write_client: WriteClient,
                                               clients_dir: Path) -> None:
    store = _store_file(_insecure_client(write_client, clients_dir))
    result = run_cli("config", "show", "acme")
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("insecure:")]
    assert len(warnings) == len(EXPECTED), result.stderr
    for where in EXPECTED:
        assert sum(where in line for line in warnings) == 1, (where, result.stderr)
    assert f"chmod 600 {store}" in result.stderr
    assert SECRET not in result.output and HOOK_TOKEN not in result.output


def test_a_sync_of_several_streams_warns_once(run_cli: RunCli, write_client: WriteClient,
                                              clients_dir: Path) -> None:
    path = _insecure_client(write_client, clients_dir)
    config = load_client(path).config
    with Store.for_config(config) as store, store.lock("run:acme"):
        result = run_cli("sync", "acme", "--json")
    lines = result.stderr.splitlines()
    assert sum("suitecrm.http.verify_tls" in line for line in lines) == 1, result.stderr
    assert sum(line.endswith("/.env") for line in lines) == 1, result.stderr
    assert SECRET not in result.output and HOOK_TOKEN not in result.output


def test_a_second_load_in_the_same_command_does_not_repeat(
        write_client: WriteClient, clients_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from cli.context import AppContext

    _insecure_client(write_client, clients_dir)
    app = AppContext(config_dir=clients_dir)
    app.load("acme")
    app.load("acme")
    assert capsys.readouterr().err.count("suitecrm.http.verify_tls") == 1


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]"])
def test_loopback_http_gives_no_warning(run_cli: RunCli, write_client: WriteClient,
                                        host: str) -> None:
    write_client("acme", f"""\
client: acme
suitecrm:
  base_url: http://{host}:8080
  client_id: 10c94ee0-623a-0c4d-b9aa-6b03f65b345c
  client_secret: ${{ACME_SECRET}}
sources:
  matomo:
    base_url: http://{host}/matomo
    token_auth: ${{ACME_SECRET}}
    site_id: 1
alerts:
  webhook_url: http://{host}:9000/hook
""")
    result = run_cli("config", "show", "acme")
    assert result.exit_code == 0, result.output
    assert "insecure" not in result.stderr


def test_imap_without_tls_or_verification_is_flagged(write_client: WriteClient) -> None:
    path = write_client("acme", VALID_CLIENT + """\
sources:
  imap:
    - {name: plain, host: mail.example.com, port: 143, tls: false, username: a@example.com,
       password: "${ACME_SECRET}"}
    - {name: local, host: 127.0.0.1, port: 143, tls: false, username: a@example.com,
       password: "${ACME_SECRET}"}
    - {name: unverified, host: mail.example.com, verify_tls: false, username: a@example.com,
       password: "${ACME_SECRET}"}
""")
    loaded = load_client(path)
    found = [f.where for f in insecure_settings(loaded.config, secret_files(loaded))]
    assert found == ["sources.imap[0].tls", "sources.imap[2].verify_tls"]


@contextmanager
def _crm(scheme: str) -> Iterator[respx.MockRouter]:
    """A SuiteCRM at crm.example.com that has every module and no fields."""
    with respx.mock(base_url=f"{scheme}://crm.example.com", assert_all_called=False) as router:
        router.route(host="crm.example.com").mock(side_effect=lambda request: httpx.Response(
            200, json=_reply(request.url.path)))
        yield router


CHECKED = """\
client: acme
suitecrm:
  base_url: http://crm.example.com
  api_layout: auto
  client_id: 10c94ee0-623a-0c4d-b9aa-6b03f65b345c
  client_secret: ${ACME_SECRET}
  http:
    verify_tls: false
"""


def test_check_lists_the_insecure_settings(run_cli: RunCli, write_client: WriteClient,
                                           clients_dir: Path) -> None:
    write_client("acme", CHECKED)
    (clients_dir / ".env").write_text("OTHER=1\n", encoding="utf-8")
    (clients_dir / ".env").chmod(0o640)
    with _crm("http"):
        result = run_cli("check", "acme", "--json")
        table = run_cli("check", "acme")
    document = json.loads(result.stdout)
    assert [f["where"] for f in document["insecure"]] == [
        "suitecrm.base_url", "suitecrm.http.verify_tls", str(clients_dir / ".env")]
    assert "mode 0640" in document["insecure"][2]["what"]
    assert all(f["hint"] for f in document["insecure"])
    assert "suitecrm.http.verify_tls" in table.stdout
    assert "chmod 600" in table.stdout
    assert table.stderr.count("suitecrm.http.verify_tls") == 1
    assert SECRET not in table.output + result.output


def test_check_of_a_safe_client_says_so(run_cli: RunCli, write_client: WriteClient) -> None:
    write_client("acme", CHECKED.replace("http://", "https://").replace(
        "verify_tls: false", "verify_tls: true"))
    with _crm("https"):
        result = run_cli("check", "acme")
    assert "no insecure settings" in result.stdout, result.output
    assert "insecure:" not in result.stderr


def _reply(path: str) -> object:
    if path.endswith("access_token"):
        return {"token_type": "Bearer", "expires_in": 3600, "access_token": "jwt"}
    if path.endswith("current-user"):
        return {"data": {"type": "User", "id": "1", "attributes": {}}}
    if path.endswith("meta/modules"):
        return {"data": {"type": "modules", "attributes": {"Accounts": {}, "Contacts": {},
                                                           "Opportunities": {}}}}
    return {"data": {"type": "fields", "attributes": {}}}


def test_init_tightens_an_existing_env_file(run_cli: RunCli, clients_dir: Path) -> None:
    env_file = clients_dir / ".env"
    env_file.write_text("OTHER=1\n", encoding="utf-8")
    env_file.chmod(0o644)
    result = run_cli("init", "acme")
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    assert f"tightened {env_file} from mode 0644 to 0600" in result.stdout
    again = run_cli("init", "acme-eu")
    assert "tightened" not in again.stdout
