"""Write-back end to end against the sandbox: push, re-push, dry-run, rejections, undo."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
from click.testing import Result

from cli.commands.writeback_output import report_exit_code
from cli.exit_codes import ExitCode
from connectors.suitecrm import SuiteCRMClient
from connectors.suitecrm.bulk import ResultCallback
from connectors.suitecrm.outcomes import CallResult
from sandbox import RunningSandbox, running_sandbox
from sync.config import LoadedConfig, load_client
from sync.store import Store
from sync.writeback.audit import AuditLog
from sync.writeback.commands import push_client
from sync.writeback.destination import CRMDestination
from sync.writeback.field_check import NOT_CHECKED
from sync.writeback.fieldspec import specs_for
from sync.writeback.plan import RecordChange
from sync.writeback.push import PushReport, push_traits

pytestmark = pytest.mark.e2e

STAGES = ["reach", "engagement", "purchase", "retention", "loyalty", "decline", "lapsed"]
SECRET_ENV = "ACME_SUITECRM_SECRET"
FIELDS = ["sp_stage_c", "sp_clv_c"]


@pytest.fixture
def sandbox() -> Iterator[RunningSandbox]:
    with running_sandbox(customers=30, seed=11) as sb:
        sb.add_custom_field("Contacts", "sp_stage_c", "enum", length=100)
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
  http: {{max_retries: 2, backoff_initial: 0, backoff_max: 0}}
enrichment:
  customer_entity: Contacts
writeback:
  read_page_size: 7
  fields:
    lifecycle_stage: {{field: Contacts.sp_stage_c, type: enum, options: {STAGES}}}
    clv: {{field: Contacts.sp_clv_c, type: decimal, precision: 2}}
""")
    return load_client(path)


@pytest.fixture
def store(loaded: LoadedConfig) -> Iterator[Store]:
    with Store.for_config(loaded.config) as opened:
        yield opened


@pytest.fixture
def audit(store: Store) -> AuditLog:
    return AuditLog(store.engine)


def _push(loaded: LoadedConfig, store: Store, traits: dict[str, dict[str, object]],
          **options: bool) -> PushReport:
    return push_client(loaded.config, traits, store=store, path=loaded.path, **options)


@pytest.fixture
def crm(sandbox: RunningSandbox) -> Iterator[SuiteCRMClient]:
    with SuiteCRMClient(sandbox.suitecrm_settings()) as client:
        yield client


def _contact_ids(crm: SuiteCRMClient, count: int) -> list[str]:
    ids = [r.id for page in crm.iter_pages("Contacts", fields=["last_name"]) for r in page]
    return ids[:count]


def _traits(ids: Sequence[str]) -> dict[str, dict[str, object]]:
    return {record_id: {"lifecycle_stage": STAGES[i % len(STAGES)], "clv": 100 + i * 10.005}
            for i, record_id in enumerate(ids)}


def _values(crm: SuiteCRMClient, record_id: str) -> dict[str, object]:
    return crm.get("Contacts", record_id, fields=FIELDS).attributes


class CountingDestination(CRMDestination):
    """The CRM destination, counting the records it is asked to write."""

    sent = 0

    def write(self, module: str, changes: Sequence[RecordChange], *,
              stop: threading.Event | None = None,
              on_result: ResultCallback | None = None) -> list[CallResult]:
        self.sent += len(changes)
        return super().write(module, changes, stop=stop, on_result=on_result)


def test_push_writes_changed_fields_and_a_second_push_sends_nothing(
    loaded: LoadedConfig, store: Store, audit: AuditLog, crm: SuiteCRMClient,
) -> None:
    ids = _contact_ids(crm, 12)
    traits = _traits(ids)
    report = _push(loaded, store, traits)
    assert (report.records_written, report.fields_written, report.rejected) == (12, 24, [])
    stored = _values(crm, ids[1])
    assert stored["sp_stage_c"] == "engagement"
    assert str(stored["sp_clv_c"]) == "110.01"
    assert len(audit.writes_of(report.run_id)) == 24

    destination = CountingDestination(crm)
    again = push_traits(specs_for(loaded.config), traits, client=crm, destination=destination,
                        audit=audit, run_id="again", page_size=7)
    assert destination.sent == 0
    assert again.compared == 12 and again.records_written == 0
    assert audit.writes_of("again") == []


def test_dry_run_writes_nothing(loaded: LoadedConfig, store: Store, audit: AuditLog,
                                crm: SuiteCRMClient) -> None:
    ids = _contact_ids(crm, 5)
    before = [_values(crm, record_id) for record_id in ids]
    report = _push(loaded, store, _traits(ids), dry_run=True)
    assert report.dry_run and report.records_written == 5
    assert [_values(crm, record_id) for record_id in ids] == before
    assert audit.runs() == []


def test_a_refused_record_is_reported_and_the_others_written(
    loaded: LoadedConfig, audit: AuditLog, crm: SuiteCRMClient,
) -> None:
    ids = _contact_ids(crm, 6)

    class DeletingDestination(CRMDestination):
        """A user deletes one record while the push runs."""

        def write(self, module: str, changes: Sequence[RecordChange], *,
                  stop: threading.Event | None = None,
                  on_result: ResultCallback | None = None) -> list[CallResult]:
            if any(change.record_id == ids[2] for change in changes):
                crm.delete("Contacts", ids[2])
            return super().write(module, changes, stop=stop, on_result=on_result)

    report = push_traits(specs_for(loaded.config), _traits(ids), client=crm,
                         destination=DeletingDestination(crm), audit=audit,
                         run_id="partial", page_size=7)
    assert [r.record_id for r in report.rejected] == [ids[2]]
    assert "not found" in report.rejected[0].reason
    assert report_exit_code(report) is ExitCode.PARTIAL
    assert sorted(c.record_id for c in report.changes) == sorted(set(ids) - {ids[2]})
    assert _values(crm, ids[3])["sp_stage_c"] == STAGES[3]
    assert {e.record_id for e in audit.writes_of("partial")} == set(ids) - {ids[2]}


def test_undo_restores_but_keeps_a_users_later_edit(
    loaded: LoadedConfig, store: Store, crm: SuiteCRMClient, run_cli: Callable[..., Result],
) -> None:
    ids = _contact_ids(crm, 4)
    crm.update("Contacts", ids[0], {"sp_stage_c": "reach"})  # a value from before our run
    report = _push(loaded, store, _traits(ids[1:] + ids[:1]))
    crm.update("Contacts", ids[1], {"sp_stage_c": "lapsed"})  # a user's edit after the run

    dry = run_cli("undo", report.run_id, "--dry-run", "--json")
    assert dry.exit_code == 0, dry.stderr
    assert _values(crm, ids[2])["sp_stage_c"] == STAGES[1]

    result = run_cli("undo", report.run_id, "--json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert [(c["record_id"], c["field"], c["current"]) for c in document["conflicts"]] == [
        (ids[1], "sp_stage_c", "lapsed")]
    assert _values(crm, ids[1])["sp_stage_c"] == "lapsed"
    assert _values(crm, ids[1])["sp_clv_c"] is None
    assert _values(crm, ids[2]) == {"sp_stage_c": None, "sp_clv_c": None}
    assert _values(crm, ids[0])["sp_stage_c"] == "reach"


def test_undo_of_a_deleted_record_exits_3_and_restores_the_others(
    loaded: LoadedConfig, store: Store, crm: SuiteCRMClient, run_cli: Callable[..., Result],
) -> None:
    ids = _contact_ids(crm, 3)
    report = _push(loaded, store, _traits(ids))
    crm.delete("Contacts", ids[0])
    result = run_cli("undo", report.run_id)
    assert result.exit_code == 3, result.stderr
    assert "rejected" in result.stderr and ids[0] in result.stderr
    assert _values(crm, ids[1]) == {"sp_stage_c": None, "sp_clv_c": None}


def test_dry_run_then_run_then_a_run_that_recognises_our_own_writes(
    loaded: LoadedConfig, audit: AuditLog, crm: SuiteCRMClient, run_cli: Callable[..., Result],
) -> None:
    assert run_cli("sync", "acme").exit_code == 0
    dry = run_cli("push", "acme", "--dry-run", "--json")
    assert dry.exit_code == 0, dry.stderr
    planned = json.loads(dry.stdout)
    assert planned["dry_run"] is True and planned["records_changed"] > 0
    stage = next(c for c in planned["changes"] if c["field"] == "sp_stage_c")
    assert _values(crm, stage["record_id"]) == {"sp_stage_c": None, "sp_clv_c": None}
    assert audit.runs() == []

    first = run_cli("run", "acme", "--json")
    assert first.exit_code == 0, first.stderr
    pushed = json.loads(first.stdout)["push"]
    assert pushed["records_changed"] == planned["records_changed"]
    assert _values(crm, stage["record_id"])["sp_stage_c"] == stage["new"]

    second = run_cli("run", "acme", "--json")
    assert second.exit_code == 0, second.stderr
    document = json.loads(second.stdout)
    assert document["push"]["records_changed"] == 0
    contacts = next(s for s in document["sync"]["streams"] if s["name"] == "Contacts")
    assert contacts["own_writes"] == pushed["records_changed"]
    assert contacts["changed"] == 0


def test_preserve_date_modified_keeps_the_records_date(
    loaded: LoadedConfig, store: Store, crm: SuiteCRMClient,
) -> None:
    ids = _contact_ids(crm, 3)
    before = {i: crm.get("Contacts", i, fields=["date_modified"])["date_modified"] for i in ids}
    preserving = loaded.config.model_copy(update={"writeback": loaded.config.writeback.model_copy(
        update={"preserve_date_modified": True})})
    report = push_client(preserving, _traits(ids), store=store)
    assert report.records_written == 3
    after = {i: crm.get("Contacts", i, fields=["date_modified"])["date_modified"] for i in ids}
    assert after == before
    assert _values(crm, ids[0])["sp_stage_c"] == STAGES[0]


def test_fields_check_against_the_sandbox(
    loaded: LoadedConfig, sandbox: RunningSandbox, run_cli: Callable[..., Result],
) -> None:
    ok = run_cli("fields", "check", "acme")
    assert ok.exit_code == 0, ok.stdout + ok.stderr
    assert "all 2 mapped fields are present as mapped" in ok.stdout
    checked = json.loads(run_cli("fields", "check", "acme", "--json").stdout)
    assert checked["not_checked"] == list(NOT_CHECKED)  # the filters were checked
    sandbox.add_custom_field("Contacts", "sp_other_c", "varchar", length=20)
    loaded.path.write_text(loaded.path.read_text().replace("Contacts.sp_clv_c",
                                                           "Contacts.sp_other_c"))
    bad = run_cli("fields", "check", "acme", "--json")
    assert bad.exit_code == 1
    (problem,) = json.loads(bad.stdout)["problems"]
    assert (problem["field"], problem["problem"]) == ("sp_other_c", "other type")
