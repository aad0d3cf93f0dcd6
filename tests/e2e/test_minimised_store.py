"""Data minimisation against the sandbox: a client as ``suitepulse init`` writes it stores no
name and no e-mail address of the sandbox's people, only the fields ``config show`` lists."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import Result

from connectors.suitecrm import SuiteCRMClient
from sandbox import RunningSandbox, running_sandbox
from sync.config import load_client, store_url
from sync.store import Store
from tests.unit.sync.conftest import stored

pytestmark = pytest.mark.e2e

RunCli = Callable[..., Result]


@pytest.fixture
def sb() -> Iterator[RunningSandbox]:
    with running_sandbox(customers=120, seed=11) as running:
        yield running


@pytest.fixture
def default_client(sb: RunningSandbox, run_cli: RunCli, clients_dir: Path,
                   monkeypatch: pytest.MonkeyPatch) -> Path:
    """``suitepulse init acme``, pointed at the sandbox; nothing else changed."""
    assert run_cli("init", "acme").exit_code == 0
    path = clients_dir / "acme.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("base_url: https://crm.example.com", f"base_url: {sb.base_url}")
                    .replace("api_layout: auto", "api_layout: 7.x"), encoding="utf-8")
    monkeypatch.setenv("ACME_SUITECRM_CLIENT_ID", sb.client_id)
    monkeypatch.setenv("ACME_SUITECRM_CLIENT_SECRET", sb.client_secret)
    return path


def _people(sb: RunningSandbox) -> tuple[set[str], set[str]]:
    """The sandbox's contacts' first and last names, and every e-mail address it lists."""
    names: set[str] = set()
    emails: set[str] = set()
    with SuiteCRMClient(sb.suitecrm_settings()) as client:
        for module, fields in (("Contacts", ["first_name", "last_name", "email1", "email2"]),
                               ("Accounts", ["email1"])):
            for page in client.iter_pages(module, fields=fields, page_size=200):
                for record in page:
                    values = record.attributes
                    names |= {values.get(f) or "" for f in ("first_name", "last_name")}
                    emails |= {values.get(f) or "" for f in ("email1", "email2")}
    return {n for n in names if len(n) >= 3}, {e for e in emails if "@" in e}


def _store_bytes(path: Path) -> bytes:
    files = [path, path.with_name(path.name + "-wal")]
    return b"".join(f.read_bytes() for f in files if f.exists())


def test_a_default_client_stores_no_name_and_no_email_address(
        sb: RunningSandbox, default_client: Path, run_cli: RunCli) -> None:
    result = run_cli("sync", "acme")
    assert result.exit_code == 0, result.output
    config = load_client(default_client).config
    with Store.for_config(config) as store:
        contacts = stored(store, "Contacts")
        accounts = stored(store, "Accounts")
    assert len(contacts) >= 120 and accounts  # the people are there, by id
    kept = {name for attributes, _ in contacts.values() for name in json.loads(attributes)}
    assert kept <= {"date_modified", "account_id", "email1", "email2", "email"}

    names, emails = _people(sb)
    assert len(names) > 50 and len(emails) > 100  # the test looks for something
    data = _store_bytes(Path(store_url(config).removeprefix("sqlite:///")))
    assert [e for e in emails if e.lower().encode() in data.lower()] == []
    assert [n for n in names if n.encode() in data] == []
    assert re.search(rb"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+\.[A-Za-z]{2,}", data) is None

    shown = run_cli("config", "show", "acme", "--json")
    assert shown.exit_code == 0, shown.output
    stored_fields = json.loads(shown.stdout)["stored_fields"]
    assert set(stored_fields["Contacts"]) == {"id", *kept}
    assert "account_id" in stored_fields["Contacts"]
