"""A record that changed only by our own writes is recognised as such."""

from __future__ import annotations

from sync.settings import FieldType
from sync.writeback.own_writes import OwnWriteFilter, changed_fields, only_own_writes
from tests.unit.writeback.conftest import SpecFactory

BEFORE = {"last_name": "Lee", "sp_clv_c": "", "sp_stage_c": "new",
          "date_modified": "2026-01-01T10:00:00+00:00"}


def test_bookkeeping_fields_are_not_changes() -> None:
    after = {**BEFORE, "date_modified": "2026-01-02T10:00:00+00:00", "modified_user_id": "1"}
    assert changed_fields(BEFORE, after) == set()
    assert changed_fields(BEFORE, {**after, "last_name": "Li"}) == {"last_name"}


def test_a_record_holding_what_we_wrote_is_ours(make_spec: SpecFactory) -> None:
    clv = make_spec(FieldType.DECIMAL, name="sp_clv_c", len=18, precision=2)
    after = {**BEFORE, "sp_clv_c": "10.50", "date_modified": "2026-01-02T10:00:00+00:00"}
    assert only_own_writes(BEFORE, after, {"sp_clv_c": 10.5}, {"sp_clv_c": clv})


def test_a_user_edit_beside_our_write_is_activity(make_spec: SpecFactory) -> None:
    after = {**BEFORE, "sp_clv_c": "10.50", "last_name": "Li"}
    assert not only_own_writes(BEFORE, after, {"sp_clv_c": 10.5})


def test_a_user_edit_of_our_field_is_activity(make_spec: SpecFactory) -> None:
    clv = make_spec(FieldType.DECIMAL, name="sp_clv_c", len=18, precision=2)
    after = {**BEFORE, "sp_clv_c": "11.00"}
    assert not only_own_writes(BEFORE, after, {"sp_clv_c": 10.5}, {"sp_clv_c": clv})


def test_records_we_never_wrote_are_not_ours(make_spec: SpecFactory) -> None:
    after = {**BEFORE, "date_modified": "2026-01-02T10:00:00+00:00"}
    own = OwnWriteFilter("Contacts", [], {("a", "sp_stage_c"): "active"})
    assert not own.is_own_write("b", BEFORE, after)
    assert own.is_own_write("a", BEFORE, {**after, "sp_stage_c": "active"})
    assert not own.is_own_write("a", BEFORE, {**after, "sp_stage_c": "lost"})
