"""Value trend over runs on the sandbox: each run compares with what the store kept."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from sandbox import RunningSandbox, running_sandbox
from sync.config import LoadedConfig, load_client
from sync.enrich_step import Traits, enrich_client
from sync.explain import explain_customer, explanation_lines
from sync.pull import sync_client
from sync.store import Store
from sync.streams.connections import Connections
from tests.e2e.sandbox_sync import SECRET_ENV, valued_client_document, write_client_file

pytestmark = pytest.mark.e2e

ANCHOR = date(2026, 11, 30)
FIRST = datetime(2026, 12, 1, 9, tzinfo=UTC)
RUN_DAYS = (0, 30, 95)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    with running_sandbox(customers=600, seed=3, anchor=ANCHOR) as sb:
        yield sb


@pytest.fixture
def loaded(sandbox: RunningSandbox, tmp_path: Path,
           monkeypatch: pytest.MonkeyPatch) -> LoadedConfig:
    monkeypatch.setenv(SECRET_ENV, sandbox.client_secret)
    path = write_client_file(tmp_path, sandbox, f"sqlite:///{tmp_path / 'acme.db'}")
    document = valued_client_document(path)
    document["enrichment"]["value_trend_band"] = 0.05
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return load_client(path)


@pytest.fixture
def store(loaded: LoadedConfig) -> Iterator[Store]:
    with Store.for_config(loaded.config) as opened:
        sync_client(loaded.config, store=opened, connections=Connections())
        yield opened


@pytest.fixture
def runs(loaded: LoadedConfig, store: Store) -> list[Traits]:
    """Traits of runs on day 0, day 30 and day 95, with no new data in between."""
    return [enrich_client(loaded.config, store, now=FIRST + timedelta(days=days))
            for days in RUN_DAYS]


def test_the_clv_change_compares_with_the_value_kept_90_days_before(
        runs: list[Traits]) -> None:
    first, _, last = runs
    assert all(t["clv_change_90d"] is None and t["value_trend"] is None
               for t in first.values())  # nothing to compare with yet
    compared = {c: t for c, t in last.items() if t["clv_change_90d"] is not None}
    assert len(compared) > 50
    for customer, traits in compared.items():
        then = first[customer]["clv"]  # day 95 - 90 = day 5: the value saved on day 0
        assert traits["clv_change_90d"] == pytest.approx(traits["clv"] / then - 1, abs=5e-4)
        band = traits["clv_change_90d"]
        expected = "rising" if band > 0.05 else "falling" if band < -0.05 else "stable"
        assert traits["value_trend"] == expected
    # no purchase for 95 days: customers' expected value decays
    assert sum(t["value_trend"] == "falling" for t in compared.values()) > len(compared) / 2


def test_a_stage_keeps_its_start_date_until_it_changes(runs: list[Traits]) -> None:
    first, middle, last = runs
    kept = [c for c in last if first[c]["lifecycle_stage"] == middle[c]["lifecycle_stage"]
            == last[c]["lifecycle_stage"] is not None]
    moved = [c for c in last if middle[c]["lifecycle_stage"] != last[c]["lifecycle_stage"]]
    assert kept and moved
    assert {last[c]["stage_since"] for c in kept} == {FIRST.date()}
    assert {last[c]["stage_since"] for c in moved} == {(FIRST + timedelta(days=95)).date()}


def test_explain_says_how_the_value_moved(loaded: LoadedConfig, store: Store,
                                         runs: list[Traits]) -> None:
    last = runs[-1]
    customer = next(c for c, t in last.items() if t["value_trend"] == "falling")
    explanation = explain_customer(loaded.config, store, customer,
                                   now=FIRST + timedelta(days=RUN_DAYS[-1]))
    trend = explanation.trend
    assert (trend.clv_change_90d, trend.value_trend, trend.stage_since) == (
        last[customer]["clv_change_90d"], "falling", last[customer]["stage_since"])
    line = next(x for x in explanation_lines(explanation) if x.startswith("value trend"))
    assert line.startswith(f"value trend: falling (CLV {trend.clv_change_90d:+.1%} against "
                           f"90 days ago; stable within ±5%); stage since ")
