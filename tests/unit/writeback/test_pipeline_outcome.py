"""A run's outcome: the sync's, or rejected when the push rejected records."""

from __future__ import annotations

from datetime import UTC, datetime

from sync.pipeline import PipelineResult
from sync.run_summary import Outcome, RunSummary
from sync.writeback.plan import Rejection
from sync.writeback.push import PushReport


def _sync(outcome: Outcome) -> RunSummary:
    return RunSummary(run_id="s", client="acme", started_at=datetime(2026, 1, 1, tzinfo=UTC),
                      full=False, outcome=outcome)


def test_a_push_with_rejections_makes_the_run_rejected() -> None:
    rejected = PushReport(run_id="p", dry_run=False,
                          rejected=[Rejection("Contacts", "c1", "record refused")])
    assert PipelineResult(_sync(Outcome.OK), push=rejected).outcome is Outcome.REJECTED
    assert PipelineResult(_sync(Outcome.OK), push=PushReport("p", False)).outcome is Outcome.OK
    assert PipelineResult(_sync(Outcome.FAILED)).outcome is Outcome.FAILED
    assert PipelineResult(_sync(Outcome.REJECTED), push=PushReport("p", False)).outcome is (
        Outcome.REJECTED)
