"""The sync engine against a running sandbox, through the real SuiteCRMClient.

Each test starts a small sandbox (a few hundred customers) and compares the store with what
the sandbox lists through the API at the end: the same ids and the same values.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import Result

from connectors.suitecrm import SuiteCRMClient
from sandbox import RunningSandbox, running_sandbox
from sync.config import ClientConfig
from sync.pull import sync_client
from sync.run_summary import Outcome, RunSummary
from sync.store import Store
from sync.store.cursors import save_reconciled
from sync.streams import Connections
from tests.e2e.sandbox_sync import (
    FIELDS,
    SECRET_ENV,
    RecordingTransport,
    attribute,
    client_config,
    sandbox_view,
    store_view,
    write_client_file,
)

pytestmark = pytest.mark.e2e

MODULES = list(FIELDS)


@pytest.fixture
def sb(monkeypatch: pytest.MonkeyPatch) -> Iterator[RunningSandbox]:
    with running_sandbox(customers=200, seed=5) as running:
        monkeypatch.setenv(SECRET_ENV, running.client_secret)
        yield running


@pytest.fixture
def client_file(sb: RunningSandbox, clients_dir: Path, tmp_path: Path) -> Path:
    return write_client_file(clients_dir, sb, f"sqlite:///{tmp_path / 'acme.sqlite3'}")


def _assert_store_matches_sandbox(store: Store, config: ClientConfig) -> dict[str, int]:
    sizes = {}
    for module in MODULES:
        listed = sandbox_view(config, module)
        assert store_view(store, module) == listed, module
        sizes[module] = len(listed)
    return sizes


def _contacts_by_date_modified(sb: RunningSandbox) -> list[str]:
    with SuiteCRMClient(sb.suitecrm_settings()) as client:
        return [r.id for page in client.iter_pages("Contacts", fields=["date_modified"],
                                                   sort="date_modified", page_size=200)
                for r in page]


def test_first_full_sync_holds_exactly_the_sandbox_records_and_status_agrees(
        sb: RunningSandbox, client_file: Path, run_cli: Callable[..., Result]) -> None:
    config = client_config(client_file)
    transport = RecordingTransport()
    summary = sync_client(config, connections=Connections(suitecrm=transport))
    assert summary.outcome is Outcome.OK
    with Store.for_config(config) as store:
        sizes = _assert_store_matches_sandbox(store, config)
        assert all(not store_view(store, m, deleted=True) for m in MODULES)
    for module, size in sizes.items():
        result = summary.streams[module]
        assert (result.new, result.changed, result.rejected) == (size, 0, 0), module
        assert result.reconciled and result.deleted == 0  # a first run reconciles...

    status = run_cli("status", "acme", "--json")
    assert status.exit_code == 0, status.stderr
    document = json.loads(status.stdout)
    last = document["runs"][0]
    assert (last["id"], last["outcome"]) == (summary.run_id, "ok")
    assert last["counts"] == {m: s.counts() for m, s in summary.streams.items()}
    cursors = {row["stream"]: row["cursor"] for row in document["cursors"]}
    assert {m: datetime.fromisoformat(cursors[m]) for m in MODULES} == {
        m: datetime.fromisoformat(summary.streams[m].cursor.partition(":")[2])  # type: ignore[union-attr]
        for m in MODULES}

    # ...from its own pages: no id listing, only the pages of the read
    for module, size in sizes.items():
        listed = transport.lists(module)
        assert not [q for q in listed if q.get(f"fields[{module}]") == "id"], module
        assert len(listed) == size // 25 + 1, module


def test_a_due_reconciliation_lists_ids_in_id_order_and_flags_the_deleted(
        sb: RunningSandbox, client_file: Path) -> None:
    config = client_config(client_file)
    sync_client(config)
    with SuiteCRMClient(sb.suitecrm_settings()) as client:
        client.delete("Contacts", _contacts_by_date_modified(sb)[0])
    with Store.for_config(config) as store, store.transaction() as connection:
        save_reconciled(connection, "Contacts", datetime(2020, 1, 1, tzinfo=UTC))  # long ago
    transport = RecordingTransport()
    summary = sync_client(config, connections=Connections(suitecrm=transport))
    assert summary.streams["Contacts"].reconciled and summary.streams["Contacts"].deleted == 1
    live = summary.streams["Contacts"].unchanged + summary.streams["Contacts"].changed
    # the id-only listing, as SuiteCRM takes it: fields=id, id > last, sort=id
    id_listing = [q for q in transport.lists("Contacts") if q.get("fields[Contacts]") == "id"]
    assert id_listing and len(id_listing) >= -(-live // 25)
    assert all(q["sort"] == "id" for q in id_listing)
    assert [("filter[id][gt]" in q) for q in id_listing] == [False] + [True] * (
        len(id_listing) - 1)


def test_incremental_sync_counts_changes_and_a_full_sync_marks_deletes(
        sb: RunningSandbox, client_file: Path) -> None:
    config = client_config(client_file)
    sync_client(config)
    ids = _contacts_by_date_modified(sb)
    edited, removed = ids[10:13], [ids[50], ids[120]]
    with SuiteCRMClient(sb.suitecrm_settings()) as client:
        for number, record_id in enumerate(edited):
            client.update("Contacts", record_id, {"last_name": f"Edited{number}"})
        created = [client.create("Contacts", {"first_name": "New", "last_name": f"N{n}"}).id
                   for n in range(2)]
        for record_id in removed:
            client.delete("Contacts", record_id)

    incremental = sync_client(config)
    contacts = incremental.streams["Contacts"]
    assert (contacts.new, contacts.changed, contacts.rejected) == (2, 3, 0)
    assert all((s.new, s.changed) == (0, 0) for m, s in incremental.streams.items()
               if m != "Contacts")
    assert not contacts.reconciled  # not due yet: deletes are not seen by a cursor read
    with Store.for_config(config) as store:
        live = store_view(store, "Contacts")
        assert set(created) <= set(live) and set(removed) <= set(live)
        assert [attribute(live[i], "last_name") for i in edited] == [
            "Edited0", "Edited1", "Edited2"]

    full = sync_client(config, full=True)
    assert full.streams["Contacts"].reconciled
    assert full.streams["Contacts"].deleted == 2
    assert (full.streams["Contacts"].new, full.streams["Contacts"].changed) == (0, 0)
    with Store.for_config(config) as store:
        _assert_store_matches_sandbox(store, config)
        assert set(store_view(store, "Contacts", deleted=True)) == set(removed)


def test_records_changed_between_pages_are_neither_missed_nor_counted_twice(
        sb: RunningSandbox, client_file: Path) -> None:
    config = client_config(client_file)
    order = _contacts_by_date_modified(sb)  # the order the sync reads Contacts in
    pages = {"Contacts": 0}
    touched: list[str] = []
    client = SuiteCRMClient(sb.suitecrm_settings())

    def edit_between_pages(stream: str, phase: str, _count: int) -> None:
        if stream != "Contacts" or phase != "pull":
            return
        pages["Contacts"] += 1
        if pages["Contacts"] in (1, 3):  # one record already read, one not yet read
            for record_id in (order[pages["Contacts"] * 2], order[-pages["Contacts"] * 7]):
                client.update("Contacts", record_id, {"last_name": f"Moved{pages['Contacts']}"})
                touched.append(record_id)
            touched.append(client.create("Contacts", {"last_name": "DuringRun"}).id)

    with client:
        summary = sync_client(config, progress=edit_between_pages)
    contacts = summary.streams["Contacts"]
    with Store.for_config(config) as store:
        sizes = _assert_store_matches_sandbox(store, config)
    assert sizes["Contacts"] == len(order) + 2
    assert (contacts.new, contacts.changed) == (sizes["Contacts"], 0)  # each counted once
    assert len(set(touched)) == 6


def test_a_minute_denser_than_a_page_is_swept_in_id_order(sb: RunningSandbox,
                                                          client_file: Path) -> None:
    minute = datetime(2021, 3, 4, 5, 6, tzinfo=UTC)
    with SuiteCRMClient(sb.suitecrm_settings()) as client:
        dense = [r.id for r in next(iter(client.iter_pages("Contacts", fields=["last_name"],
                                                           page_size=60)))]
        for second, record_id in enumerate(dense):  # 60 records in one minute, page size 25
            client.update("Contacts", record_id,
                          {"date_modified": minute.replace(second=second)})
    transport = RecordingTransport()
    config = client_config(client_file)
    summary = sync_client(config, connections=Connections(suitecrm=transport))
    with Store.for_config(config) as store:
        sizes = _assert_store_matches_sandbox(store, config)
    assert summary.streams["Contacts"].new == sizes["Contacts"]
    sweep = [q for q in transport.lists("Contacts")
             if "filter[date_modified][lt]" in q and q.get("sort") == "id"]
    assert [q["filter[date_modified][gte]"] for q in sweep] == ["2021-03-04 05:06:00"] * 3
    assert {q["filter[date_modified][lt]"] for q in sweep} == {"2021-03-04 05:07:00"}
    assert [("filter[id][gt]" in q) for q in sweep] == [False, True, True]


def _reference(tmp_path: Path, sb: RunningSandbox) -> RunSummary:
    path = write_client_file(tmp_path / "reference", sb,
                             f"sqlite:///{tmp_path / 'reference.sqlite3'}")
    return sync_client(client_config(path))


def test_a_sync_under_injected_faults_ends_with_the_same_store(
        sb: RunningSandbox, client_file: Path, tmp_path: Path) -> None:
    reference = _reference(tmp_path, sb)
    sb.faults.rate_429 = 0.15
    sb.faults.retry_after_s = 1
    sb.faults.rate_5xx = 0.1
    sb.faults.token_ttl_s = 0.4
    config = client_config(client_file)
    try:
        summary = sync_client(config)
    finally:
        sb.faults.rate_429 = sb.faults.rate_5xx = 0.0
        sb.faults.token_ttl_s = None
    assert summary.outcome is Outcome.OK, summary.errors
    assert {m: s.new for m, s in summary.streams.items()} == {
        m: s.new for m, s in reference.streams.items()}
    with Store.for_config(config) as store, \
            Store(f"sqlite:///{tmp_path / 'reference.sqlite3'}") as expected:
        for module in MODULES:
            assert store_view(store, module) == store_view(expected, module), module
        _assert_store_matches_sandbox(store, config)


def test_a_listing_that_would_flag_a_mass_deletion_flags_nothing_unless_forced(
        sb: RunningSandbox, client_file: Path,
        run_cli: Callable[..., Result]) -> None:
    config = client_config(client_file)
    sync_client(config)
    ids = _contacts_by_date_modified(sb)
    gone = ids[: len(ids) // 3]  # a third of the contacts: above the 20 % guard
    with SuiteCRMClient(sb.suitecrm_settings()) as client:
        for record_id in gone:
            client.delete("Contacts", record_id)

    refused = run_cli("sync", "acme", "--full", "--json")
    assert refused.exit_code == 1
    document = json.loads(refused.stdout)
    contacts = next(s for s in document["streams"] if s["name"] == "Contacts")
    assert "max_deleted_share" in contacts["error"] and "--force" in contacts["error"]
    with Store.for_config(config) as store:
        assert store_view(store, "Contacts", deleted=True) == {}  # nothing flagged

    forced = run_cli("sync", "acme", "--full", "--force", "--json")
    assert forced.exit_code == 0, forced.output
    with Store.for_config(config) as store:
        assert set(store_view(store, "Contacts", deleted=True)) == set(gone)


def test_a_maintenance_page_during_a_full_sync_fails_it_and_flags_no_deletion(
        sb: RunningSandbox, client_file: Path, run_cli: Callable[..., Result]) -> None:
    config = client_config(client_file)
    sync_client(config)
    with Store.for_config(config) as store:
        before = {module: store_view(store, module) for module in MODULES}
    sb.faults.rate_html_200 = 0.3  # an HTML page with 200 instead of some list pages
    sb.faults.seed = 11
    result = run_cli("sync", "acme", "--full", "--json")
    sb.faults.rate_html_200 = 0.0
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.stderr
    document = json.loads(result.stdout)
    errors = [s["error"] for s in document["streams"] if s.get("error")]
    assert errors and all("/Api/V8/" in e and "not a JSON document" in e for e in errors)
    with Store.for_config(config) as store:
        for module in MODULES:
            assert store_view(store, module, deleted=True) == {}, module  # nothing flagged
            assert store_view(store, module) == before[module], module
