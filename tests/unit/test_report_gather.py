"""The report's figures, gathered from a small store: what a marketer reads off the charts."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert

from sync.config import ClientConfig
from sync.enrich_step import save_traits
from sync.privacy_settings import PrivacySettings
from sync.report import ClvTerms, ReportData
from sync.report.gather import CHURN_BANDS, report_data
from sync.report.page import render_report
from sync.store import Store
from sync.store.runs import finish_run, start_run
from sync.store.schema import RECORDS, WRITES
from sync.store.value_models import save_value_model

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)

# customer id -> traits; "gone" is a deleted CRM record and must not be counted.
CUSTOMERS: dict[str, dict[str, Any]] = {
    "c1": {"rfm_segment": "Champions", "lifecycle_stage": "loyalty", "clv": 900.0,
           "historical_value": 2000.0, "churn_risk": 0.05, "purchase_count": 9},
    "c2": {"rfm_segment": "Champions", "lifecycle_stage": "retention", "clv": 500.0,
           "historical_value": 800.0, "churn_risk": 0.2, "purchase_count": 3},
    "c3": {"rfm_segment": "At Risk", "lifecycle_stage": "decline", "clv": 40.0,
           "historical_value": 600.0, "churn_risk": 0.6, "purchase_count": 4},
    "c4": {"rfm_segment": "Lost", "lifecycle_stage": "lapsed", "clv": 1.5,
           "historical_value": 90.0, "churn_risk": 1.0, "purchase_count": 1},
    "c5": {"rfm_segment": "Prospect", "lifecycle_stage": "reach", "clv": 0.0,
           "historical_value": 0.0, "churn_risk": 0.0, "purchase_count": 0},
    "c6": {"rfm_segment": "Prospect", "lifecycle_stage": "reach", "clv": None,
           "historical_value": 0.0, "churn_risk": 0.0, "purchase_count": 0},
}
GONE = {"gone": {**CUSTOMERS["c1"], "clv": 10_000.0}}


@pytest.fixture
def config(tmp_path: Path) -> ClientConfig:
    return ClientConfig.model_validate({
        "client": "acme",
        "suitecrm": {"base_url": "https://crm.example.com", "client_id": "x",
                     "client_secret": "s"},
        "enrichment": {"customer_entity": "Contacts"},
        "store": {"url": f"sqlite:///{tmp_path / 'acme.sqlite3'}"},
    })


@pytest.fixture
def store(config: ClientConfig) -> Iterator[Store]:
    with Store.for_config(config) as opened:
        with opened.transaction() as connection:
            connection.execute(insert(RECORDS), [
                {"module": "Contacts", "id": customer, "attributes": "{}", "content_hash": "h",
                 "deleted": customer == "gone", "first_seen": NOW, "last_seen": NOW}
                for customer in [*CUSTOMERS, *GONE]])
            connection.execute(insert(RECORDS), [  # same id in another module: not a customer
                {"module": "Accounts", "id": "acc", "attributes": "{}", "content_hash": "h",
                 "deleted": False, "first_seen": NOW, "last_seen": NOW}])
        save_traits(opened, {"acc": CUSTOMERS["c1"]}, computed_at=NOW)
        yield opened


def gathered(store: Store, config: ClientConfig) -> ReportData:
    return report_data(store, config, now=NOW)


def test_segments_and_stages_count_live_customers_with_their_value(
        store: Store, config: ClientConfig) -> None:
    save_traits(store, {**CUSTOMERS, **GONE}, computed_at=NOW - timedelta(days=1))
    data = gathered(store, config)
    assert data.customers == len(CUSTOMERS)
    champions = next(s for s in data.segments if s.name == "Champions")
    assert champions.customers == 2
    assert champions.historical_value == pytest.approx(2800.0)
    assert champions.predicted_value == pytest.approx(1400.0)
    assert data.segments[0].customers >= data.segments[-1].customers
    assert {s.stage: s.customers for s in data.lifecycle} == {
        "loyalty": 1, "retention": 1, "decline": 1, "lapsed": 1, "reach": 2}


def test_value_deciles_hold_every_customer_lowest_first(
        store: Store, config: ClientConfig) -> None:
    save_traits(store, CUSTOMERS, computed_at=NOW)
    deciles = gathered(store, config).value_deciles
    assert [band.label for band in deciles] == [str(n) for n in range(1, 11)]
    assert sum(band.customers for band in deciles) == len(CUSTOMERS)
    assert sum(band.value for band in deciles) == pytest.approx(1441.5)
    filled = [band.value for band in deciles if band.customers]
    assert filled == sorted(filled)
    assert filled[-1] == pytest.approx(900.0)


def test_churn_bands_count_buyers_by_fifths_and_flag_high_risk(
        store: Store, config: ClientConfig) -> None:
    save_traits(store, CUSTOMERS, computed_at=NOW)
    data = gathered(store, config)
    bands = {band.label: band for band in data.churn_bands}
    assert [band.label for band in data.churn_bands] == list(CHURN_BANDS)
    assert sum(band.customers for band in data.churn_bands) == 4  # never-bought left out
    assert bands["0–20%"].customers == 1
    assert bands["20–40%"].customers == 1  # 0.2 starts the second band
    assert bands["60–80%"].customers == 1
    assert bands["80–100%"].customers == 1  # 1.0 is in the last band
    assert bands["60–80%"].value == pytest.approx(40.0)
    assert data.at_risk_customers == 2


def test_value_trends_count_buyers_with_the_value_they_hold(
        store: Store, config: ClientConfig) -> None:
    trends = {"c1": "rising", "c2": "falling", "c3": "falling", "c4": None, "c5": None}
    save_traits(store, {c: {**t, "value_trend": trends.get(c)} for c, t in CUSTOMERS.items()},
                computed_at=NOW)
    data = gathered(store, config)
    assert [(b.label, b.customers, b.value) for b in data.value_trends] == [
        ("rising", 1, 900.0), ("falling", 2, 540.0)]  # buyers without a trend left out


def test_stage_movements_of_the_last_30_days(store: Store, config: ClientConfig) -> None:
    save_traits(store, CUSTOMERS, computed_at=NOW - timedelta(days=45))
    moved = {**CUSTOMERS, "c1": {**CUSTOMERS["c1"], "lifecycle_stage": "decline"},
             "c2": {**CUSTOMERS["c2"], "lifecycle_stage": "loyalty"}}
    save_traits(store, moved, computed_at=NOW - timedelta(days=3))
    back = {**moved, "c1": CUSTOMERS["c1"]}
    save_traits(store, back, computed_at=NOW - timedelta(days=1))
    movements = {(m.from_stage, m.to_stage): m.customers
                 for m in gathered(store, config).movements}
    assert movements == {("loyalty", "decline"): 1, ("retention", "loyalty"): 1,
                         ("decline", "loyalty"): 1}


def test_first_stages_are_not_movements(store: Store, config: ClientConfig) -> None:
    save_traits(store, CUSTOMERS, computed_at=NOW - timedelta(days=2))
    assert gathered(store, config).movements == []


def test_last_runs_newest_first_with_records_and_writes(
        store: Store, config: ClientConfig) -> None:
    with store.transaction() as connection:
        start_run(connection, "sync-1", started_at=NOW - timedelta(hours=2), full=False,
                  trigger="schedule")
        finish_run(connection, "sync-1", finished_at=NOW - timedelta(hours=2), outcome="ok",
                   counts={"Contacts": {"new": 5, "changed": 2, "unchanged": 1,
                                        "rejected": 1, "deleted": 3}}, errors=[])
        start_run(connection, "push-1", started_at=NOW - timedelta(hours=1), full=False,
                  trigger="push")
        finish_run(connection, "push-1", finished_at=NOW, outcome="ok",
                   counts={"writeback": {"compared": 6, "records": 2, "fields": 3,
                                         "rejected": 0}}, errors=[])
        connection.execute(insert(WRITES), [
            {"run_id": "push-1", "module": "Contacts", "record_id": record, "field": field,
             "old_value": json.dumps(""), "new_value": json.dumps("x"), "written_at": NOW}
            for record, field in [("c1", "a_c"), ("c1", "b_c"), ("c2", "a_c")]])
    runs = gathered(store, config).runs
    assert [(r.run_id, r.kind, r.records, r.writes) for r in runs] == [
        ("push-1", "push", 6, 3), ("sync-1", "sync", 9, 0)]


def test_an_empty_store_gives_an_empty_report(store: Store, config: ClientConfig) -> None:
    data = gathered(store, config)
    assert (data.customers, data.segments, data.lifecycle, data.movements, data.runs) == (
        0, [], [], [], [])
    assert data.value_deciles == []
    assert sum(band.customers for band in data.churn_bands) == 0


def test_the_report_names_the_clients_retention_windows(store: Store,
                                                         config: ClientConfig) -> None:
    shorter = config.model_copy(update={"privacy": PrivacySettings(interactions_days=90)})
    html = render_report(report_data(store, shorter, now=NOW))
    assert "interactions are kept 90 days" in html
    assert "erased after 30 days" in html


def test_the_clv_terms_are_those_of_the_latest_fit(store: Store, config: ClientConfig) -> None:
    assert gathered(store, config).clv_terms is None  # no fit yet
    with store.transaction() as connection:
        save_value_model(connection, {"model": "bgnbd", "fitted_at": "2026-11-01T00:00:00+00:00",
                                      "value_traits_written": True},
                         fitted_at=NOW - timedelta(days=22))  # stored before terms were kept
    old = gathered(store, config).clv_terms
    assert old == ClvTerms(365, 0.10, "2026-11-01")  # the config's defaults
    with store.transaction() as connection:
        save_value_model(connection, {"model": "bgnbd", "fitted_at": "2026-11-23T00:00:00+00:00",
                                      "value_traits_written": True, "horizon_days": 730,
                                      "annual_discount_rate": 0.08}, fitted_at=NOW)
    data = gathered(store, config)
    assert data.clv_terms == ClvTerms(730, 0.08, "2026-11-23")
    assert "CLV, 730 days ahead, discounted 8% a year, as of 2026-11-23" in render_report(data)


def test_who_to_call_ranks_buyers_by_value_at_risk_with_crm_links_and_no_names(
        store: Store, config: ClientConfig) -> None:
    save_traits(store, {**CUSTOMERS, **GONE}, computed_at=NOW)  # gone: 500 at risk, deleted
    data = gathered(store, config)
    assert [(row.record_id, row.value_at_risk) for row in data.call_at_risk] == [
        ("c2", 100.0), ("c1", 45.0), ("c3", 24.0), ("c4", 1.5)]
    assert data.call_at_risk[0].url == (
        "https://crm.example.com/index.php?module=Contacts&action=DetailView&record=c2")
    assert data.call_potential == []  # no customer has a potential value yet
    html = render_report(data)
    assert 'href="https://crm.example.com/index.php?module=Contacts&amp;action=DetailView' \
           '&amp;record=c3"' in html
    assert "gone" not in {row.record_id for row in data.call_at_risk}


def test_who_to_call_lists_the_most_potential_value_first(store: Store,
                                                          config: ClientConfig) -> None:
    save_traits(store, {"c3": {**CUSTOMERS["c3"], "potential_value": 300.0},
                        "c5": {**CUSTOMERS["c5"], "potential_value": 800.0},
                        "c1": {**CUSTOMERS["c1"], "potential_value": 0.0}}, computed_at=NOW)
    rows = gathered(store, config).call_potential
    assert [(row.record_id, row.potential_value, row.segment) for row in rows] == [
        ("c5", 800.0, "Prospect"), ("c3", 300.0, "At Risk")]
