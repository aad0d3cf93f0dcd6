"""``suitepulse explain``: why one customer is Lost and lapsed, from a synced store."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import Result

from sync.config import ClientConfig, load_client
from sync.explain import explain_customer
from sync.pull import sync_client
from sync.store import Store
from sync.store.writes import IntendedWrite, WriteState, add_intents
from tests.fake_crm import FakeCRM
from tests.unit.sync.conftest import MakeConfig

RunCli = Callable[..., Result]
SEGMENTS = [{"name": "Win back", "rule": {"all": [
    {"field": "lifecycle_stage", "equals": "lapsed"},
    {"field": "historical_value", "gt": 1000}]}}]
FIELDS = {"rfm_segment": {"field": "Contacts.sp_rfm_segment_c"},
          "lifecycle_stage": {"field": "Contacts.sp_lifecycle_stage_c"}}


def _customers(crm: FakeCRM, today: date) -> str:
    """Five buyers of different habits; returns the id of the one who stopped buying."""
    for number, (purchases, amount) in enumerate([(6, 900), (4, 500), (3, 300), (2, 200)]):
        buyer = crm.add("Contacts", first_name=f"Buyer{number}", last_name="Keen",
                        email1=f"buyer{number}@example.com")
        for purchase in range(purchases):
            crm.add("Opportunities", name="won", contact_id=buyer, amount=Decimal(amount),
                    date_closed=today - timedelta(days=10 + 20 * purchase + number),
                    sales_stage="Closed Won", currency_id="-99")
    lost = crm.add("Contacts", first_name="Lara", last_name="Gone", email1="lara@example.com")
    crm.add("Opportunities", name="won", contact_id=lost, amount=Decimal("40"),
            date_closed=today - timedelta(days=500), sales_stage="Closed Won",
            currency_id="-99")
    return lost


def _written(store: Store, lost: str) -> None:
    with store.transaction() as connection:
        add_intents(connection, "run-20260101", [IntendedWrite(
            "Contacts", lost, "sp_rfm_segment_c", None, "Hibernating")],
            at=datetime(2026, 1, 1, tzinfo=UTC), state=WriteState.WRITTEN)


def test_a_lapsed_customer_is_lost_by_the_grid_and_lapsed_by_lapsed_days(
        make_config: MakeConfig, crm: FakeCRM, store: Store) -> None:
    now = datetime(2026, 6, 1, 12, tzinfo=UTC)
    lost = _customers(crm, now.date())
    config: ClientConfig = make_config(
        enrichment={"segments": SEGMENTS,
                    "value_model": {"min_repeat_buyers": 0, "interval_draws": 0}},
        writeback={"fields": FIELDS})
    sync_client(config, store=store, connections=crm.connections())
    _written(store, lost)

    explanation = explain_customer(config, store, lost, now=now)

    assert explanation.inputs.purchases == 1
    assert explanation.inputs.purchase_total == 40.0
    assert explanation.rfm.segment == "Lost"
    assert (explanation.rfm.recency.score, explanation.rfm.fm) == (1, 1)
    assert explanation.rfm.recency.value == 500
    assert "grid's row R 1" in explanation.rfm.reason and "FM 1 is Lost" in explanation.rfm.reason
    assert explanation.lifecycle.stage == "lapsed"
    assert explanation.lifecycle.rules == ("days since last purchase 500 > lapsed_days 365",)
    assert explanation.lifecycle.thresholds == {"lapsed_days": 365}
    [segment] = explanation.segments
    assert segment.name == "Win back" and not segment.matched
    assert [(c.field, c.matched) for c in segment.clauses] == [
        ("lifecycle_stage", True), ("historical_value", False)]
    by_trait = {write.trait: write for write in explanation.fields}
    assert by_trait["rfm_segment"].last_written == "Hibernating"
    assert by_trait["rfm_segment"].run_id == "run-20260101"
    assert by_trait["rfm_segment"].value == "Lost"
    assert by_trait["lifecycle_stage"].run_id is None


def test_explain_cli_json_has_no_personal_data_and_unknown_ids_exit_2(
        run_cli: RunCli, write_client: Callable[[str, str], Path],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACME_SECRET", "x")
    path = write_client("acme", "\n".join([
        "client: acme",
        "suitecrm:",
        "  base_url: https://crm.example.com",
        "  client_id: 10c94ee0-623a-0c4d-b9aa-6b03f65b345c",
        "  client_secret: ${ACME_SECRET}",
        "sync: {modules: [Contacts]}",
        "enrichment:",
        "  customer_entity: Contacts",
        "  purchases: {customer_field: contact_id}",
        f"  segments: {json.dumps(SEGMENTS)}",
        f"writeback: {{fields: {json.dumps(FIELDS)}}}",
        ""]))
    config = load_client(path).config
    crm = FakeCRM()
    lost = _customers(crm, datetime.now(UTC).date())
    with Store.for_config(config) as store:
        sync_client(config, store=store, connections=crm.connections())
        _written(store, lost)

    result = run_cli("explain", "acme", lost, "--json")

    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["ok"] is True and document["record_id"] == lost
    assert document["rfm"]["segment"] == "Lost"
    assert document["lifecycle"]["stage"] == "lapsed"
    assert document["fields"][0]["run_id"] == "run-20260101"
    for personal in ("Lara", "Gone", "lara@example.com", "Keen", "example.com"):
        assert personal not in result.stdout
    text = run_cli("explain", "acme", lost)
    assert "lapsed: days since last purchase" in text.stdout
    assert "Lost" in text.stdout
    assert "rule segment Win back: no" in text.stdout
    assert "  lifecycle_stage equals lapsed: true (value lapsed)" in text.stdout

    unknown = run_cli("explain", "acme", "no-such-id", "--json")
    assert unknown.exit_code == 2
    assert "no Contacts record 'no-such-id'" in json.loads(unknown.stdout)["error"]["message"]
