"""Target lists as configured and planned: which customers a key selects, what a push sends."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from hypothesis import given
from hypothesis import strategies as st

from cli.commands.writeback_output import render_report
from enrichment.settings import EnrichmentSettings
from enrichment.traits import trait_specs
from sync.settings import TargetListPolicy
from sync.writeback.membership import MEMBER, NOT_MEMBER, plan_memberships
from sync.writeback.push import PushReport
from sync.writeback.segment_selector import parse_selector
from tests.conftest import VALID_CLIENT

TRAITS = trait_specs(EnrichmentSettings.model_validate({"segments": [
    {"name": "Lapsing VIP", "rule": {"field": "clv", "gte": 1000}},
    {"name": "loyalty", "rule": {"field": "clv", "gte": 5000}},
]}))


@pytest.mark.parametrize(("key", "traits", "held"), [
    ("Champions", {"rfm_segment": "Champions"}, True),
    ("Champions", {"rfm_segment": "Loyal"}, False),
    ("Lapsing VIP", {"rule_segments": "Big spender, Lapsing VIP"}, True),
    ("Lapsing VIP", {"rule_segments": "Lapsing VIP extra"}, False),
    ("lifecycle_stage = loyalty", {"lifecycle_stage": "loyalty"}, True),
    ("rule_segments = loyalty", {"rule_segments": "loyalty"}, True),
    ("churn_risk >= 0.7", {"churn_risk": 0.7}, True),
    ("churn_risk >= 0.7", {"churn_risk": 0.69}, False),
    ("churn_risk >= 0.7", {"churn_risk": None}, False),
    ("churn_risk >= 0.7", {"churn_risk": float("nan")}, False),
    ("0.3 <= churn_risk < 0.7", {"churn_risk": 0.3}, True),
    ("0.3 <= churn_risk < 0.7", {"churn_risk": 0.7}, False),
    ("clv>1000", {"clv": 1000.5}, True),
])
def test_a_key_selects_the_customers_a_marketer_means(key: str, traits: dict[str, object],
                                                     held: bool) -> None:
    assert parse_selector(key, TRAITS).holds(traits) is held


@pytest.mark.parametrize(("key", "message"), [
    ("champions", "did you mean 'Champions'?"),
    ("loyalty", "is both lifecycle_stage and rule_segments; write it as"),
    ("Nobody", "is no segment"),
    ("rfm_score >= 3", "a band needs a number trait"),
    ("rfm_segment = Champs", "is not a RFM segment"),
    ("clv = 3", "compare it with >=, >, <= or <"),
    ("wealth > 3", "'wealth' is not a trait"),
])
def test_a_key_that_names_no_segment_says_why(key: str, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace("?", r"\?")):
        parse_selector(key, TRAITS)


ids = st.sets(st.sampled_from([f"c{i}" for i in range(12)]))


@given(segment=ids, members=ids, ours=ids, mirror=st.booleans())
def test_after_the_changes_the_list_is_the_segment_plus_the_members_nobody_gave_us(
        segment: set[str], members: set[str], ours: set[str], mirror: bool) -> None:
    policy = TargetListPolicy.MIRROR if mirror else TargetListPolicy.KEEP_MANUAL
    # c11: we removed it last, so if it is a member now a person put it back
    written = dict.fromkeys(ours, MEMBER) | {"c11": NOT_MEMBER}
    changes = plan_memberships("L", "list-1", "Contacts", segment=segment, members=members,
                               ours=written, policy=policy)
    after = set(members)
    for change in changes:
        assert (change.record_id in after) is not change.add  # each change does something
        (after.add if change.add else after.discard)(change.record_id)
    manual = set() if mirror else (members - segment) - (ours - {"c11"})
    assert after == segment | manual
    assert len({c.record_id for c in changes}) == len(changes)


def test_push_json_and_summary_show_the_membership_changes(
        capsys: pytest.CaptureFixture[str]) -> None:
    report = PushReport(run_id="r1", dry_run=True)
    report.memberships = plan_memberships("SuitePulse - Champions", "l1", "Contacts",
                                          segment={"a", "b"}, members={"c"},
                                          ours={"c": MEMBER}, policy=TargetListPolicy.KEEP_MANUAL)
    report.lists_created = ["SuitePulse - At risk"]
    render_report(report, as_json=True)
    document = json.loads(capsys.readouterr().out)
    assert (document["members_added"], document["members_removed"]) == (2, 1)
    assert document["target_lists_created"] == ["SuitePulse - At risk"]
    assert document["memberships"][2] == {"list": "SuitePulse - Champions", "list_id": "l1",
                                          "module": "Contacts", "record_id": "c",
                                          "change": "remove"}
    render_report(report, as_json=False)
    shown = capsys.readouterr().out
    assert "would change target lists: 2 members added, 1 removed, 1 lists to create" in shown
    assert "removed" in shown and "Contacts/c" in shown


def test_config_validate_points_at_the_line_of_a_bad_target_list(
        run_cli: Callable[..., Result], write_client: Callable[..., Path],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACME_SECRET", "x")
    write_client("acme", VALID_CLIENT + "writeback:\n  target_lists:\n"
                 "    Champions: SuitePulse - Champions\n    Champs: SuitePulse - Champs\n")
    result = run_cli("config", "validate", "acme")
    assert result.exit_code == 2
    assert "acme.yaml:9 writeback.target_lists.Champs: 'Champs' is no segment" in result.stderr
    write_client("acme", VALID_CLIENT + "writeback:\n  target_lists:\n"
                 f"    Champions: {'x' * 51}\n")
    result = run_cli("config", "validate", "acme")
    assert result.exit_code == 2 and "longer than the 50 characters" in result.stderr
