"""``suitepulse identity explain`` and ``identity conflicts``: which record a key links, by
which rule, and which keys several records share; never an address in the output."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import Result

from sync.config import load_client
from sync.field_selection import person_modules
from sync.identity import IdentityRules
from sync.privacy_key import client_key
from sync.store import Store
from sync.store.identities import index_identities, resolve_interactions
from sync.store.interactions import store_interactions
from tests.conftest import VALID_CLIENT

RunCli = Callable[..., Result]
WHEN = datetime(2026, 3, 1, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _client(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
            write_client: Callable[[str, str], Path]) -> None:
    monkeypatch.setenv("ACME_SECRET", "s3cr3t-value-9f2")
    path = write_client("acme", VALID_CLIENT + f"""\
store: {{url: "sqlite:///{tmp_path / 'acme.sqlite3'}"}}
privacy: {{key: "identity-test-key-0001"}}
""")
    config = load_client(path).config
    rules = IdentityRules.of(config.identity)
    with Store.for_config(config) as store, store.transaction() as connection:
        key = client_key(config)
        index_identities(connection, "Contacts", [
            {"id": "c1", "email1": "ann@example.com"},
            {"id": "c2", "email1": "shared@example.com"},
            {"id": "c3", "email1": "shared@example.com", "email2": "info@example.com"},
        ], key=key, rules=rules)
        store_interactions(connection, "imap:inbox", "email", [
            {"id": "m1", "occurred_at": WHEN, "kind": "received", "email": "Ann@Example.com"},
            {"id": "m2", "occurred_at": WHEN, "kind": "sent", "email": "ann@example.com"},
            {"id": "m3", "occurred_at": WHEN, "kind": "received", "email": "shared@example.com"},
            {"id": "m4", "occurred_at": WHEN, "kind": "received", "email": "info@example.com"},
        ], now=WHEN, key=key, rules=rules)
        resolve_interactions(connection, person_modules(config))


def _json(result: Result) -> dict[str, object]:
    assert result.exit_code == 0, result.stderr
    assert "@example.com" not in result.stdout + result.stderr
    document = json.loads(result.stdout)
    assert isinstance(document, dict)
    return document


def test_an_address_of_one_record_links_its_interactions(run_cli: RunCli) -> None:
    document = _json(run_cli("identity", "explain", "acme", "--email", " ANN@example.com",
                             "--json"))
    assert document["records"] == [["Contacts", "c1"]]
    assert "one CRM record holds this key" in str(document["rule"])
    assert {(i["kind"], i["match"], i["count"]) for i in document["interactions"]} == {  # type: ignore[attr-defined]
        ("received", "matched", 1), ("sent", "matched", 1)}


def test_a_shared_address_links_none_and_is_a_conflict(run_cli: RunCli) -> None:
    explained = _json(run_cli("identity", "explain", "acme", "--email",
                              "shared@example.com", "--json"))
    assert explained["records"] == [["Contacts", "c2"], ["Contacts", "c3"]]
    assert "ambiguous, linked to none" in str(explained["rule"])
    listed = _json(run_cli("identity", "conflicts", "acme", "--json"))
    assert listed["conflicts"] == [{"key": 1, "kind": "email", "interactions": 1,
                                    "records": [["Contacts", "c2"], ["Contacts", "c3"]]}]


def test_a_role_address_never_links_and_says_why(run_cli: RunCli) -> None:
    result = run_cli("identity", "explain", "acme", "--email", "info@example.com")
    assert result.exit_code == 0, result.stderr
    assert "role address (identity.role_addresses): never links anyone" in result.stdout
    assert "email received: 1 blocked" in result.stdout


def test_a_record_shows_its_keys_and_what_links_to_it(run_cli: RunCli) -> None:
    document = _json(run_cli("identity", "explain", "acme", "--record", "Contacts:c3",
                             "--json"))
    keys = document["keys"]
    assert isinstance(keys, list) and len(keys) == 1  # info@ is no key of anyone
    assert keys[0]["also_held_by"] == [["Contacts", "c2"]]
    assert document["linked"] == []
    linked = _json(run_cli("identity", "explain", "acme", "--record", "c1", "--json"))
    assert sum(i["count"] for i in linked["linked"]) == 2  # type: ignore[attr-defined]


def test_explain_needs_one_of_email_and_record(run_cli: RunCli) -> None:
    result = run_cli("identity", "explain", "acme")
    assert result.exit_code == 2 and "--email or --record" in result.stderr
