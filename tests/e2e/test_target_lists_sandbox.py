"""Target lists end to end on the sandbox: created once, kept equal to the segment, undone."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from connectors.suitecrm import SuiteCRMClient
from sandbox import RunningSandbox, running_sandbox
from sync.config import LoadedConfig, load_client
from sync.store import Store
from sync.store.target_lists import ListBook
from sync.writeback.audit import AuditLog
from sync.writeback.commands import push_client, undo_client
from sync.writeback.push import PushReport
from sync.writeback.reading import read_members

pytestmark = pytest.mark.e2e

SECRET_ENV = "ACME_SUITECRM_SECRET"
CHAMPIONS, AT_RISK = "SuitePulse - Champions", "SuitePulse - At risk"


@pytest.fixture
def sandbox() -> Iterator[RunningSandbox]:
    with running_sandbox(customers=40, seed=12) as sb:
        yield sb


def _client_file(write_client: Callable[[str, str], Path], sandbox: RunningSandbox,
                 policy: str = "keep_manual") -> Path:
    return write_client("acme", f"""\
client: acme
suitecrm:
  base_url: {sandbox.base_url}
  api_layout: 7.x
  client_id: {sandbox.client_id}
  client_secret: ${{{SECRET_ENV}}}
  page_size: 7
  http: {{max_retries: 2, backoff_initial: 0, backoff_max: 0}}
enrichment:
  customer_entity: Contacts
writeback:
  read_page_size: 7
  target_list_policy: {policy}
  target_lists:
    Champions: "{CHAMPIONS}"
    "churn_risk >= 0.7": "{AT_RISK}"
""")


@pytest.fixture
def loaded(sandbox: RunningSandbox, write_client: Callable[[str, str], Path],
           monkeypatch: pytest.MonkeyPatch) -> LoadedConfig:
    monkeypatch.setenv(SECRET_ENV, sandbox.client_secret)
    return load_client(_client_file(write_client, sandbox))


@pytest.fixture
def store(loaded: LoadedConfig) -> Iterator[Store]:
    with Store.for_config(loaded.config) as opened:
        yield opened


@pytest.fixture
def crm(sandbox: RunningSandbox) -> Iterator[SuiteCRMClient]:
    with SuiteCRMClient(sandbox.suitecrm_settings()) as client:
        yield client


@pytest.fixture
def ids(crm: SuiteCRMClient) -> list[str]:
    return sorted(r.id for page in crm.iter_pages("Contacts", fields=["last_name"])
                  for r in page)


def _traits(ids: list[str], champions: set[int], at_risk: set[int]) -> dict[str, dict[str, object]]:
    return {record_id: {"rfm_segment": "Champions" if i in champions else "Hibernating",
                        "churn_risk": 0.9 if i in at_risk else (None if i % 5 == 0 else 0.1)}
            for i, record_id in enumerate(ids)}


def _push(loaded: LoadedConfig, store: Store, traits: dict[str, dict[str, object]],
          **options: bool) -> PushReport:
    return push_client(loaded.config, traits, store=store, path=loaded.path, **options)


def _list_id(crm: SuiteCRMClient, name: str) -> str:
    found = [r for page in crm.iter_pages("ProspectLists", fields=["name", "list_type"])
             for r in page if r.attributes["name"] == name]
    assert len(found) == 1, f"{len(found)} lists named {name!r}"
    return found[0].id


def _members(crm: SuiteCRMClient, name: str) -> set[str]:
    return read_members(crm, _list_id(crm, name), "Contacts", page_size=10)


def _requests(sandbox: RunningSandbox) -> dict[str, int]:
    return dict(httpx.get(f"{sandbox.base_url}/sandbox/info").json()["requests"])


def _relationship_calls(sandbox: RunningSandbox) -> int:
    counts = _requests(sandbox)
    return int(counts.get("POST relationships", 0)) + int(counts.get("DELETE relationships", 0))


def test_push_creates_each_list_once_with_exactly_the_segment_and_a_second_push_sends_nothing(
    loaded: LoadedConfig, store: Store, crm: SuiteCRMClient, ids: list[str],
    sandbox: RunningSandbox,
) -> None:
    traits = _traits(ids, champions={1, 4, 9, 16, 25}, at_risk={2, 3, 5, 7, 11, 13})
    before = _relationship_calls(sandbox)
    reads_before = _requests(sandbox).get("GET relationships", 0)
    report = _push(loaded, store, traits)
    assert report.lists_created == [CHAMPIONS, AT_RISK]
    # every answer was read: no list had to be read back to learn what happened
    assert _requests(sandbox).get("GET relationships", 0) == reads_before
    assert _members(crm, CHAMPIONS) == {ids[i] for i in (1, 4, 9, 16, 25)}
    assert _members(crm, AT_RISK) == {ids[i] for i in (2, 3, 5, 7, 11, 13)}
    assert _relationship_calls(sandbox) - before == 11 == len(report.memberships)
    listed = crm.get("ProspectLists", _list_id(crm, CHAMPIONS),
                     fields=["list_type", "description"]).attributes
    assert listed["list_type"] == "default"
    assert "Maintained by SuitePulse for acme" in listed["description"]

    again = _push(loaded, store, traits)
    assert again.lists_created == [] and again.memberships == []
    assert _relationship_calls(sandbox) - before == 11
    assert len([r for page in crm.iter_pages("ProspectLists", fields=["name"])
                for r in page]) == 2


def test_a_customer_leaving_the_segment_is_removed_with_one_call_and_a_manual_member_stays(
    loaded: LoadedConfig, store: Store, crm: SuiteCRMClient, ids: list[str],
    sandbox: RunningSandbox,
) -> None:
    _push(loaded, store, _traits(ids, champions={1, 4, 9}, at_risk=set()))
    crm.relate("ProspectLists", _list_id(crm, CHAMPIONS), "Contacts", ids[30],
               link="contacts")  # a marketer adds someone by hand
    before = _relationship_calls(sandbox)
    report = _push(loaded, store, _traits(ids, champions={1, 9}, at_risk=set()))
    assert [(m.record_id, m.add) for m in report.memberships] == [(ids[4], False)]
    assert _relationship_calls(sandbox) - before == 1
    assert _members(crm, CHAMPIONS) == {ids[1], ids[9], ids[30]}


def test_under_mirror_the_list_is_the_segment_exactly(
    sandbox: RunningSandbox, write_client: Callable[[str, str], Path], store: Store,
    crm: SuiteCRMClient, ids: list[str],
) -> None:
    mirrored = load_client(_client_file(write_client, sandbox, policy="mirror"))
    push_client(mirrored.config, _traits(ids, {1, 4}, set()), store=store, path=mirrored.path)
    crm.relate("ProspectLists", _list_id(crm, CHAMPIONS), "Contacts", ids[30], link="contacts")
    report = push_client(mirrored.config, _traits(ids, {1, 4}, set()), store=store,
                         path=mirrored.path)
    assert [(m.record_id, m.add) for m in report.memberships] == [(ids[30], False)]
    assert _members(crm, CHAMPIONS) == {ids[1], ids[4]}


def test_undo_restores_the_membership_the_run_found(
    loaded: LoadedConfig, store: Store, crm: SuiteCRMClient, ids: list[str],
) -> None:
    _push(loaded, store, _traits(ids, champions={1, 4, 9}, at_risk={2}))
    second = _push(loaded, store, _traits(ids, champions={1, 10, 11}, at_risk={2, 3}))
    assert _members(crm, CHAMPIONS) == {ids[1], ids[10], ids[11]}
    undone = undo_client(loaded.config, second.run_id, store=store, path=loaded.path)
    assert undone.conflicts == [] and len(undone.memberships) == 5
    assert _members(crm, CHAMPIONS) == {ids[1], ids[4], ids[9]}
    assert _members(crm, AT_RISK) == {ids[2]}
    assert {(m.list_name, m.add) for m in undone.memberships} >= {(CHAMPIONS, True),
                                                                  (AT_RISK, False)}


def test_dry_run_lists_the_membership_changes_and_changes_nothing(
    loaded: LoadedConfig, store: Store, crm: SuiteCRMClient, ids: list[str],
) -> None:
    fresh = _push(loaded, store, _traits(ids, champions={1}, at_risk={5}), dry_run=True)
    assert fresh.lists_created == [CHAMPIONS, AT_RISK]
    assert [(m.list_name, m.record_id) for m in fresh.memberships] == [
        (CHAMPIONS, ids[1]), (AT_RISK, ids[5])]
    assert not [r for page in crm.iter_pages("ProspectLists", fields=["name"]) for r in page]

    _push(loaded, store, _traits(ids, champions={1}, at_risk=set()))
    planned = _push(loaded, store, _traits(ids, champions={2, 3}, at_risk={5}), dry_run=True)
    assert planned.lists_created == []
    assert sorted((m.list_name, m.record_id, m.add) for m in planned.memberships) == sorted([
        (CHAMPIONS, ids[2], True), (CHAMPIONS, ids[3], True), (CHAMPIONS, ids[1], False),
        (AT_RISK, ids[5], True)])
    assert _members(crm, CHAMPIONS) == {ids[1]} and _members(crm, AT_RISK) == set()
    assert AuditLog(store.engine).pending() == []


def test_a_list_suitepulse_did_not_create_is_never_touched(
    loaded: LoadedConfig, store: Store, crm: SuiteCRMClient, ids: list[str],
    sandbox: RunningSandbox,
) -> None:
    theirs = crm.create("ProspectLists", {"name": CHAMPIONS, "list_type": "default"}).id
    crm.relate("ProspectLists", theirs, "Contacts", ids[7], link="contacts")
    before = _relationship_calls(sandbox)
    report = _push(loaded, store, _traits(ids, champions={1, 2}, at_risk={3}))
    assert [(r.module, r.record_id) for r in report.rejected] == [("ProspectLists", theirs)]
    assert "did not create" in report.rejected[0].reason
    assert read_members(crm, theirs, "Contacts") == {ids[7]}
    assert _relationship_calls(sandbox) - before == 1  # only the At risk list's member
    assert CHAMPIONS not in ListBook(store.engine).known()


def test_lost_answers_and_refusals_settle_by_reading_the_list_back(
    loaded: LoadedConfig, store: Store, crm: SuiteCRMClient, ids: list[str],
    sandbox: RunningSandbox,
) -> None:
    sandbox.faults.rate_lost_answer = 0.4
    try:
        report = _push(loaded, store, _traits(ids, champions=set(range(0, 40, 2)),
                                              at_risk=set()))
    finally:
        sandbox.faults.rate_lost_answer = 0.0
    audit = AuditLog(store.engine)
    assert audit.pending() == []
    members = _members(crm, CHAMPIONS)
    written = {e.record_id for e in audit.writes_of(report.run_id) if e.new == "1"}
    assert written == members  # the audit log holds exactly what the list holds
    again = _push(loaded, store, _traits(ids, champions=set(range(0, 40, 2)), at_risk=set()))
    assert again.failed == [] and again.rejected == []
    assert _members(crm, CHAMPIONS) == {ids[i] for i in range(0, 40, 2)}


def test_a_list_of_ours_that_someone_deleted_is_created_again_with_the_segment(
    loaded: LoadedConfig, store: Store, crm: SuiteCRMClient, ids: list[str],
) -> None:
    _push(loaded, store, _traits(ids, champions={1, 2}, at_risk=set()))
    first = _list_id(crm, CHAMPIONS)
    crm.delete("ProspectLists", first)
    report = _push(loaded, store, _traits(ids, champions={1, 2}, at_risk=set()))
    assert report.lists_created == [CHAMPIONS]
    assert _list_id(crm, CHAMPIONS) != first
    assert _members(crm, CHAMPIONS) == {ids[1], ids[2]}
