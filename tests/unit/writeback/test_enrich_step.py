"""Traits are kept in the store: only changed values are saved, each change in the history."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
from sqlalchemy import select

from sync.enrich_step import save_traits, traits_by_customer
from sync.store import Store
from sync.store.schema import TRAIT_HISTORY, TRAITS

T1 = datetime(2026, 5, 1, tzinfo=UTC)
T2 = datetime(2026, 5, 2, tzinfo=UTC)


def test_frames_become_plain_values_with_none_for_missing() -> None:
    frame = pd.DataFrame({"id": ["a", "b"], "clv": [1.5, float("nan")],
                          "last_purchase_date": [pd.Timestamp("2026-01-02"), pd.NaT],
                          "lifecycle_stage": ["loyalty", None]})
    traits = traits_by_customer(frame)
    assert traits["a"] == {"clv": 1.5, "last_purchase_date": pd.Timestamp("2026-01-02"),
                           "lifecycle_stage": "loyalty"}
    assert traits["b"] == {"clv": None, "last_purchase_date": None, "lifecycle_stage": None}


def test_only_changed_values_are_saved_and_kept_in_history(tmp_path: Path) -> None:
    with Store(f"sqlite:///{tmp_path / 's.sqlite3'}") as store:
        first = {"a": {"clv": 1.5, "since": date(2026, 1, 2)}, "b": {"clv": None, "since": None}}
        assert save_traits(store, first, computed_at=T1) == 4
        assert save_traits(store, first, computed_at=T2) == 0
        assert save_traits(store, {**first, "b": {"clv": 3.0, "since": None}},
                           computed_at=T2) == 1
        with store.transaction() as connection:
            values = {(r.customer_id, r.trait): json.loads(r.value)
                      for r in connection.execute(select(TRAITS))}
            history = [(r.customer_id, r.trait, r.old_value, r.new_value)
                       for r in connection.execute(select(TRAIT_HISTORY))]
    assert values == {("a", "clv"): 1.5, ("a", "since"): "2026-01-02", ("b", "clv"): 3.0,
                      ("b", "since"): None}
    assert history == [("b", "clv", "null", "3.0")]


def test_push_runs_do_not_count_as_successful_syncs(tmp_path: Path) -> None:
    from sync.store.runs import finish_run, last_success, start_run

    with Store(f"sqlite:///{tmp_path / 's.sqlite3'}") as store, \
            store.transaction() as connection:
        for run_id, at, trigger in (("sync", T1, "cli"), ("push", T2, "push")):
            start_run(connection, run_id, started_at=at, full=False, trigger=trigger)
            finish_run(connection, run_id, finished_at=at, outcome="ok", counts={}, errors=[])
        assert last_success(connection) == T1
