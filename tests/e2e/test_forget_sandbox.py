"""``forget --clear-crm-fields`` on the sandbox: the CRM fields emptied (audited), then the
store erased; a dry run changes neither; a CRM that fails leaves the store as it was."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import Result

from connectors.suitecrm import SuiteCRMClient
from sandbox import RunningSandbox, running_sandbox
from sync.config import LoadedConfig, load_client
from sync.pull import sync_client
from sync.store import Store
from sync.store.erasure import ERASED_MARKER, erasures
from sync.writeback.audit import AuditLog
from sync.writeback.commands import push_client

pytestmark = pytest.mark.e2e

SECRET_ENV = "ACME_SUITECRM_SECRET"
FIELDS = ["sp_stage_c", "sp_clv_c"]


@pytest.fixture
def sandbox() -> Iterator[RunningSandbox]:
    with running_sandbox(customers=20, seed=13) as sb:
        sb.add_custom_field("Contacts", "sp_stage_c", "varchar", length=100)
        sb.add_custom_field("Contacts", "sp_clv_c", "decimal", length=18, precision=2)
        yield sb


@pytest.fixture
def loaded(sandbox: RunningSandbox, write_client: Callable[[str, str], Path],
           monkeypatch: pytest.MonkeyPatch) -> LoadedConfig:
    monkeypatch.setenv(SECRET_ENV, sandbox.client_secret)
    path = write_client("acme", f"""\
client: acme
suitecrm:
  base_url: {sandbox.base_url}
  api_layout: 7.x
  client_id: {sandbox.client_id}
  client_secret: ${{{SECRET_ENV}}}
  http: {{max_retries: 1, backoff_initial: 0, backoff_max: 0}}
sync:
  modules: [Contacts]
enrichment:
  customer_entity: Contacts
writeback:
  fields:
    lifecycle_stage: {{field: Contacts.sp_stage_c, type: varchar}}
    clv: {{field: Contacts.sp_clv_c, type: decimal, precision: 2}}
""")
    return load_client(path)


@pytest.fixture
def world(loaded: LoadedConfig, sandbox: RunningSandbox) -> tuple[str, str]:
    """A synced store and pushed traits; (record id, e-mail address) of one contact."""
    sync_client(loaded.config)
    with SuiteCRMClient(sandbox.suitecrm_settings()) as crm:
        contacts = [r for page in crm.iter_pages("Contacts", fields=["email1"]) for r in page
                    if r.attributes.get("email1")]
    traits = {r.id: {"lifecycle_stage": "loyalty", "clv": 120.5} for r in contacts}
    with Store.for_config(loaded.config) as store:
        push_client(loaded.config, traits, store=store, path=loaded.path)
    return contacts[0].id, str(contacts[0].attributes["email1"])


def _crm_values(sandbox: RunningSandbox, record_id: str) -> dict[str, object]:
    with SuiteCRMClient(sandbox.suitecrm_settings()) as crm:
        values = crm.get("Contacts", record_id, fields=FIELDS).attributes
    return {name: values.get(name) for name in FIELDS}


def _erasures(store: Store) -> list[str]:
    with store.transaction() as connection:
        return [str(entry["record_id"]) for entry in erasures(connection)]


def test_forget_with_clear_crm_fields_empties_them_audited_then_erases_the_store(
    loaded: LoadedConfig, sandbox: RunningSandbox, world: tuple[str, str],
    run_cli: Callable[..., Result],
) -> None:
    record_id, email = world
    assert _crm_values(sandbox, record_id)["sp_stage_c"] == "loyalty"

    dry = run_cli("forget", "acme", "--email", email, "--clear-crm-fields", "--dry-run",
                  "--json")
    assert dry.exit_code == 0, dry.stderr
    assert json.loads(dry.stdout)["crm_fields_cleared"] == 2
    assert _crm_values(sandbox, record_id)["sp_stage_c"] == "loyalty"
    with Store.for_config(loaded.config) as store:
        assert _erasures(store) == []

    result = run_cli("forget", "acme", "--email", email, "--clear-crm-fields", "--json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["crm_fields_cleared"] == 2
    assert [r["record_id"] for r in document["records"]] == [record_id]
    assert document["records"][0]["counts"]["crm_fields_cleared"] == 2
    assert email.lower() not in result.stdout.lower()
    assert set(_crm_values(sandbox, record_id).values()) <= {None, ""}
    with Store.for_config(loaded.config) as store:
        assert _erasures(store) == [record_id]
        rows = AuditLog(store.engine).writes_of(document["crm_run_id"])
    assert {(row.field, row.old, row.new) for row in rows} == {
        ("sp_stage_c", ERASED_MARKER, ERASED_MARKER), ("sp_clv_c", ERASED_MARKER, ERASED_MARKER)}


def test_a_crm_that_fails_while_clearing_leaves_the_store_as_it_was(
    loaded: LoadedConfig, sandbox: RunningSandbox, world: tuple[str, str],
    run_cli: Callable[..., Result],
) -> None:
    record_id, email = world
    sandbox.faults.rate_5xx = 1.0
    try:
        result = run_cli("forget", "acme", "--email", email, "--clear-crm-fields")
    finally:
        sandbox.faults.rate_5xx = 0.0
    assert result.exit_code == 1
    assert "the store was not changed" in result.stderr
    assert _crm_values(sandbox, record_id)["sp_stage_c"] == "loyalty"
    with Store.for_config(loaded.config) as store:
        assert _erasures(store) == []
    again = run_cli("forget", "acme", "--email", email, "--clear-crm-fields")
    assert again.exit_code == 0, again.stderr
    assert "emptied 2 CRM fields of 1 records" in again.stdout
