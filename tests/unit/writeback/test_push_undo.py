"""Push writes only what changed and audits it; undo restores only what is still ours."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from sync.errors import StateError
from sync.settings import FieldType
from sync.store import Store
from sync.writeback.audit import AuditLog
from sync.writeback.destination import CRMDestination, Destination, DryRunDestination
from sync.writeback.fieldspec import FieldSpec
from sync.writeback.push import PushReport, push_traits
from sync.writeback.undo import undo_run
from tests.unit.writeback.conftest import SpecFactory
from tests.unit.writeback.fake_crm import FakeCRM


@pytest.fixture
def audit(tmp_path: Path) -> Iterator[AuditLog]:
    with Store(f"sqlite:///{tmp_path / 'store.sqlite3'}") as store:
        yield AuditLog(store.engine)


@pytest.fixture
def specs(make_spec: SpecFactory) -> list[FieldSpec]:
    return [
        make_spec(FieldType.ENUM, trait="stage", name="sp_stage_c",
                  options={"new": "New", "active": "Active", "lost": "Lost"}),
        make_spec(FieldType.DECIMAL, trait="clv", name="sp_clv_c", len=18, precision=2),
    ]


def _crm() -> FakeCRM:
    return FakeCRM(records={"Contacts": {
        f"c{i}": {"sp_stage_c": "new", "sp_clv_c": "", "last_name": f"Person {i}",
                  "date_modified": "2026-01-01T10:00:00+00:00"}
        for i in range(5)}})


TRAITS: dict[str, dict[str, object]] = {
    "c0": {"stage": "active", "clv": 10.0},
    "c1": {"stage": "new", "clv": None},
    "c2": {"stage": "active", "clv": 2.5},
}


def _push(crm: FakeCRM, specs: list[FieldSpec], audit: AuditLog, run_id: str, *,
          traits: Mapping[str, Mapping[str, object]] = TRAITS,
          destination: Destination | None = None,
          preserve_date_modified: bool = False) -> PushReport:
    return push_traits(specs, traits, client=crm, destination=destination or CRMDestination(crm),
                       audit=audit, run_id=run_id, page_size=2,
                       preserve_date_modified=preserve_date_modified)


def test_push_patches_changed_records_with_changed_fields_only(
    specs: list[FieldSpec], audit: AuditLog,
) -> None:
    crm = _crm()
    report = _push(crm, specs, audit, "run1")
    assert crm.patches == [("c0", {"sp_stage_c": "active", "sp_clv_c": 10.0}),
                           ("c2", {"sp_stage_c": "active", "sp_clv_c": 2.5})]
    assert (report.compared, report.records_written, report.fields_written) == (3, 2, 4)
    assert not report.partial
    entries = audit.writes_of("run1")
    assert [(e.record_id, e.field, e.old, e.new) for e in entries] == [
        ("c0", "sp_stage_c", "new", "active"), ("c0", "sp_clv_c", "", 10.0),
        ("c2", "sp_stage_c", "new", "active"), ("c2", "sp_clv_c", "", 2.5)]
    assert crm.records["Contacts"]["c0"]["last_name"] == "Person 0"


def test_a_second_push_with_no_new_data_sends_nothing(
    specs: list[FieldSpec], audit: AuditLog,
) -> None:
    crm = _crm()
    _push(crm, specs, audit, "run1")
    crm.patches.clear()
    report = _push(crm, specs, audit, "run2")
    assert crm.patches == []
    assert report.records_written == 0
    assert audit.writes_of("run2") == []


def test_dry_run_records_the_plan_and_changes_nothing(
    specs: list[FieldSpec], audit: AuditLog,
) -> None:
    crm = _crm()
    destination = DryRunDestination()
    report = _push(crm, specs, audit, "dry", destination=destination)
    assert crm.patches == []
    assert crm.records == _crm().records
    assert [c.record_id for c in destination.planned] == ["c0", "c2"]
    assert report.dry_run and report.records_written == 2
    assert audit.runs() == []


def test_refused_records_are_reported_and_the_rest_written(
    specs: list[FieldSpec], audit: AuditLog,
) -> None:
    crm = _crm()
    crm.refuse.add("c0")
    report = _push(crm, specs, audit, "run1")
    assert report.partial
    assert [(r.record_id, r.reason) for r in report.rejected] == [
        ("c0", "record refused: Property x in Contact module is invalid")]
    assert [c.record_id for c in report.changes] == ["c2"]
    assert {e.record_id for e in audit.writes_of("run1")} == {"c2"}


def test_preserve_date_modified_sends_the_shown_value_back(
    specs: list[FieldSpec], audit: AuditLog,
) -> None:
    crm = _crm()
    _push(crm, specs, audit, "run1", preserve_date_modified=True)
    assert crm.patches[0][1]["date_modified"] == "2026-01-01 10:00:00"
    assert all(e.field != "date_modified" for e in audit.writes_of("run1"))


def test_undo_restores_old_values_but_never_a_later_user_edit(
    specs: list[FieldSpec], audit: AuditLog,
) -> None:
    crm = _crm()
    _push(crm, specs, audit, "run1")
    crm.records["Contacts"]["c2"]["sp_stage_c"] = "lost"  # a user's edit after the run
    crm.patches.clear()
    report = undo_run("run1", specs, client=crm, destination=CRMDestination(crm), audit=audit,
                      new_run_id="undo1")
    assert crm.patches == [("c0", {"sp_stage_c": "new", "sp_clv_c": ""}),
                           ("c2", {"sp_clv_c": ""})]
    assert crm.records["Contacts"]["c2"]["sp_stage_c"] == "lost"
    assert [(c.record_id, c.field, c.written, c.current) for c in report.conflicts] == [
        ("c2", "sp_stage_c", "active", "lost")]
    assert [(e.record_id, e.field, e.old, e.new) for e in audit.writes_of("undo1")] == [
        ("c0", "sp_stage_c", "active", "new"), ("c0", "sp_clv_c", 10.0, ""),
        ("c2", "sp_clv_c", 2.5, "")]


def test_undo_names_a_later_run_that_changed_the_field(
    specs: list[FieldSpec], audit: AuditLog,
) -> None:
    crm = _crm()
    _push(crm, specs, audit, "run1")
    _push(crm, specs, audit, "run2", traits={"c0": {"stage": "lost", "clv": 10.0}})
    report = undo_run("run1", specs, client=crm, destination=DryRunDestination(), audit=audit,
                      new_run_id="undo1")
    assert [(c.record_id, c.field, c.by_run) for c in report.conflicts] == [
        ("c0", "sp_stage_c", "run2")]
    assert crm.records["Contacts"]["c0"]["sp_stage_c"] == "lost"


def test_undo_dry_run_writes_nothing_and_deleted_records_are_reported(
    specs: list[FieldSpec], audit: AuditLog,
) -> None:
    crm = _crm()
    _push(crm, specs, audit, "run1")
    del crm.records["Contacts"]["c2"]
    crm.patches.clear()
    destination = DryRunDestination()
    report = undo_run("run1", specs, client=crm, destination=destination, audit=audit,
                      new_run_id="undo1")
    assert crm.patches == []
    assert [c.record_id for c in destination.planned] == ["c0"]
    assert [r.record_id for r in report.rejected] == ["c2"]
    assert "cannot read it" in report.rejected[0].reason
    assert audit.writes_of("undo1") == []


def test_undo_of_an_unknown_run_says_so(specs: list[FieldSpec], audit: AuditLog) -> None:
    with pytest.raises(StateError, match="'nope' wrote nothing"):
        undo_run("nope", specs, client=FakeCRM(), destination=DryRunDestination(), audit=audit,
                 new_run_id="undo1")


def test_runs_lists_the_runs_that_wrote(specs: list[FieldSpec], audit: AuditLog) -> None:
    crm = _crm()
    _push(crm, specs, audit, "run1")
    last = audit.last_written("Contacts", ["c0", "c1"])
    assert last == {("c0", "sp_stage_c"): "active", ("c0", "sp_clv_c"): 10.0}
    (run,) = audit.runs()
    assert (run.run_id, run.fields, run.records) == ("run1", 4, 2)
