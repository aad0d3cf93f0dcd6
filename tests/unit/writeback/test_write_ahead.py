"""Write-ahead audit: intents before PATCHes, settled by answers or by reading back."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from sqlalchemy import select

from sync.run_summary import Outcome
from sync.settings import FieldType
from sync.store import Store
from sync.store.engine import create_store_engine
from sync.store.migrations import upgrade
from sync.store.schema import WRITES
from sync.store.writes import WriteState
from sync.writeback.audit import AuditLog
from sync.writeback.destination import CRMDestination
from sync.writeback.fieldspec import FieldSpec
from sync.writeback.plan import FieldChange, RecordChange
from sync.writeback.push import PushReport, push_traits
from sync.writeback.settle import settle_rows
from sync.writeback.undo import UndoReport, undo_run
from tests.unit.writeback.conftest import SpecFactory
from tests.unit.writeback.fake_crm import Died, FakeCRM

ORIGINAL = {"sp_stage_c": "new", "sp_clv_c": ""}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(f"sqlite:///{tmp_path / 'store.sqlite3'}") as opened:
        yield opened


@pytest.fixture
def audit(store: Store) -> AuditLog:
    return AuditLog(store.engine)


@pytest.fixture
def specs(make_spec: SpecFactory) -> list[FieldSpec]:
    return [
        make_spec(FieldType.ENUM, trait="stage", name="sp_stage_c",
                  options={"new": "New", "active": "Active", "lost": "Lost"}),
        make_spec(FieldType.DECIMAL, trait="clv", name="sp_clv_c", len=18, precision=2),
    ]


def _crm(count: int = 6) -> FakeCRM:
    return FakeCRM(records={"Contacts": {f"c{i}": dict(ORIGINAL) for i in range(count)}})


def _traits(count: int = 6) -> dict[str, dict[str, object]]:
    return {f"c{i}": {"stage": "active", "clv": 10.0 + i} for i in range(count)}


def _push(crm: FakeCRM, specs: list[FieldSpec], audit: AuditLog, run_id: str,
          stop: threading.Event | None = None) -> PushReport:
    return push_traits(specs, _traits(), client=crm, destination=CRMDestination(crm),
                       audit=audit, run_id=run_id, page_size=2, stop=stop)


def _undo(crm: FakeCRM, specs: list[FieldSpec], audit: AuditLog, run_id: str,
          new_id: str) -> UndoReport:
    return undo_run(run_id, specs, client=crm, destination=CRMDestination(crm), audit=audit,
                    new_run_id=new_id)


def _rows(store: Store) -> list[tuple[str, str, str, str]]:
    with store.transaction() as connection:
        return [tuple(row) for row in connection.execute(  # type: ignore[misc]
            select(WRITES.c.run_id, WRITES.c.record_id, WRITES.c.field, WRITES.c.state)
            .order_by(WRITES.c.seq))]


def _changed_in_crm(crm: FakeCRM) -> set[tuple[str, str]]:
    return {(record_id, name) for record_id, values in crm.records["Contacts"].items()
            for name, value in values.items() if value != ORIGINAL[name]}


def _written(rows: Sequence[tuple[str, str, str, str]], run_id: str) -> list[tuple[str, str]]:
    return [(record, name) for run, record, name, state in rows
            if run == run_id and state == WriteState.WRITTEN]


def test_every_patch_has_its_intent_committed_before_it_is_sent(
        store: Store, audit: AuditLog, specs: list[FieldSpec]) -> None:
    crm = _crm()
    seen: list[list[str]] = []
    patch = crm._patch

    def checking(module: str, record_id: str, attributes: dict[str, object]) -> object:
        seen.append([state for _, record, _, state in _rows(store) if record == record_id])
        return patch(module, record_id, attributes)

    crm._patch = checking  # type: ignore[method-assign, assignment]
    _push(crm, specs, audit, "run1")
    assert seen == [["pending", "pending"]] * 6


def test_a_push_that_dies_leaves_intents_that_settle_to_one_row_per_value(
        store: Store, audit: AuditLog, specs: list[FieldSpec]) -> None:
    crm = _crm()
    crm.die_after = 3  # the 4th PATCH reaches the CRM, then the process dies
    with pytest.raises(Died):
        _push(crm, specs, audit, "run1")
    states = {(record, state) for _, record, _, state in _rows(store)}
    assert states == {("c0", "written"), ("c1", "written"), ("c2", "written"),
                      ("c3", "pending")}
    assert len(audit.writes_of("run1")) == 6  # c3's answer was never heard

    settled = settle_rows(audit.pending(), client=crm, audit=audit, specs=specs)
    assert {row.record_id for row in settled.written} == {"c3"}
    assert not settled.dropped and not settled.unsettled
    assert sorted(_written(_rows(store), "run1")) == sorted(_changed_in_crm(crm))

    crm.die_after = None
    second = _push(crm, specs, audit, "run2")
    assert sorted(c.record_id for c in second.changes) == ["c4", "c5"]
    every = [(r, f) for run in ("run1", "run2") for r, f in _written(_rows(store), run)]
    assert sorted(every) == sorted(_changed_in_crm(crm)) and len(every) == 12

    undone = _undo(crm, specs, audit, "run1", "undo1")
    assert undone.conflicts == [] and undone.records_written == 4
    assert {r for r, _ in _changed_in_crm(crm)} == {"c4", "c5"}


def test_an_intent_whose_patch_never_arrived_is_dropped(
        store: Store, audit: AuditLog, specs: list[FieldSpec]) -> None:
    crm = _crm(2)
    assert audit.intend("run1", []) == 0
    audit.intend("run1", [RecordChange("Contacts", "c0", (
        FieldChange("sp_stage_c", "new", "active"),))])
    settled = settle_rows(audit.pending(), client=crm, audit=audit, specs=specs)
    assert [row.record_id for row in settled.dropped] == ["c0"]
    assert audit.writes_of("run1") == [] and audit.pending() == []


def test_an_unreadable_answer_is_read_back_within_the_push(
        audit: AuditLog, specs: list[FieldSpec]) -> None:
    crm = _crm()
    crm.lose_answers = {"c1", "c4"}
    report = _push(crm, specs, audit, "run1")
    assert report.outcome is Outcome.OK
    assert sorted(c.record_id for c in report.changes) == [f"c{i}" for i in range(6)]
    assert audit.pending() == [] and len(audit.writes_of("run1")) == 12
    assert crm.requests["get"] == 2


def test_a_stopped_push_records_what_it_sent_and_sends_no_more(
        store: Store, audit: AuditLog, specs: list[FieldSpec]) -> None:
    crm = _crm()
    stop = threading.Event()
    patch = crm._patch

    def stopping(module: str, record_id: str, attributes: dict[str, object]) -> object:
        stop.set()  # SIGTERM arrives while the first PATCH is in flight
        return patch(module, record_id, attributes)

    crm._patch = stopping  # type: ignore[method-assign, assignment]
    report = _push(crm, specs, audit, "run1", stop=stop)
    assert report.outcome is Outcome.INTERRUPTED and report.records_written == 1
    assert report.not_sent == 1
    assert _written(_rows(store), "run1") == [("c0", "sp_stage_c"), ("c0", "sp_clv_c")]
    assert audit.pending() == []
    assert sorted(_changed_in_crm(crm)) == sorted(_written(_rows(store), "run1"))


def test_a_killed_undo_run_again_restores_the_rest_without_false_conflicts(
        store: Store, audit: AuditLog, specs: list[FieldSpec]) -> None:
    crm = _crm()
    _push(crm, specs, audit, "run1")
    crm.die_after = len(crm.patches) + 2
    with pytest.raises(Died):
        _undo(crm, specs, audit, "run1", "undo1")
    settle_rows(audit.pending(), client=crm, audit=audit, specs=specs)
    crm.die_after = None
    again = _undo(crm, specs, audit, "run1", "undo2")
    assert again.conflicts == []
    assert again.already_restored == 6  # three records restored by the killed undo
    assert _changed_in_crm(crm) == set()
    restored = _written(_rows(store), "undo1") + _written(_rows(store), "undo2")
    assert sorted(restored) == sorted((f"c{i}", f) for i in range(6)
                                      for f in ("sp_stage_c", "sp_clv_c"))


def test_upgrade_keeps_earlier_writes_as_written(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    engine = create_store_engine(url)
    with engine.begin() as connection:
        upgrade(connection, target=3)
        connection.exec_driver_sql(
            "INSERT INTO writes (run_id, module, record_id, field, old_value, new_value, "
            "written_at) VALUES ('r1', 'Contacts', 'c1', 'f', '\"a\"', '\"b\"', "
            "'2026-01-01 00:00:00')")
    engine.dispose()
    with Store(url) as store:
        (entry,) = AuditLog(store.engine).writes_of("r1")
        assert (entry.old, entry.new) == ("a", "b")
