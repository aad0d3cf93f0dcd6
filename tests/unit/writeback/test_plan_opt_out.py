"""An opt-out field is only ever set by write-back, never cleared."""

from __future__ import annotations

import pytest

from sync.settings import FieldType, WritePolicy
from sync.writeback.plan import plan_changes
from tests.unit.writeback.conftest import SpecFactory


@pytest.mark.parametrize("name", ["email_opt_out", "sp_optout_c", "sp_unsubscribed_c"])
def test_an_opt_out_is_set_but_never_cleared(make_spec: SpecFactory, name: str) -> None:
    spec = make_spec(FieldType.BOOL, trait="email_opt_out", name=name)
    current = [("out", {name: "1"}), ("in", {name: "0"}), ("empty", {name: None})]
    traits = {"out": {"email_opt_out": False}, "in": {"email_opt_out": True},
              "empty": {"email_opt_out": False}}
    plan = plan_changes([spec], current, traits)
    assert [(c.record_id, c.attributes()) for c in plan.changes] == [("in", {name: 1})]


def test_other_fields_are_still_cleared(make_spec: SpecFactory) -> None:
    spec = make_spec(FieldType.BOOL, trait="vip", name="sp_vip_c",
                     policy=WritePolicy.OVERWRITE)
    plan = plan_changes([spec], [("a", {"sp_vip_c": "1"})], {"a": {"vip": False}})
    assert [c.attributes() for c in plan.changes] == [{"sp_vip_c": 0}]


def test_a_text_opt_out_is_not_emptied(make_spec: SpecFactory) -> None:
    spec = make_spec(FieldType.VARCHAR, trait="email_consent", name="sp_email_opt_out_c")
    plan = plan_changes([spec], [("a", {"sp_email_opt_out_c": "unsubscribed"})],
                        {"a": {"email_consent": ""}})
    assert plan.changes == []
