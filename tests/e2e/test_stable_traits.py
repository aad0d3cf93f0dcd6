"""Traits that hold still, end to end on the sandbox with a controlled clock: a second run the
same day writes nothing, the next day writes only material changes, and a new purchase changes
its customer's fields (and, through the refitted models, hardly any other)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from connectors.suitecrm import SuiteCRMClient
from sandbox import RunningSandbox, running_sandbox
from sync.config import LoadedConfig, load_client
from sync.enrich_step import enrich_client
from sync.pull import sync_client
from sync.store import Store
from sync.streams.connections import Connections
from sync.writeback.commands import push_client
from sync.writeback.push import PushReport
from tests.e2e.sandbox_sync import SECRET_ENV, valued_client_document, write_client_file

pytestmark = pytest.mark.e2e

ANCHOR = date(2026, 11, 30)
MAPPED = {"clv": "sp_clv_c", "p_alive": "sp_palive_c", "churn_risk": "sp_churn_c",
          "lifecycle_stage": "sp_stage_c", "purchase_count": "sp_count_c"}
STAGES = ["reach", "engagement", "purchase", "retention", "loyalty", "decline", "lapsed"]


@pytest.fixture
def sandbox() -> Iterator[RunningSandbox]:
    with running_sandbox(customers=600, seed=3, anchor=ANCHOR) as sb:
        for name in ("sp_clv_c", "sp_palive_c", "sp_churn_c"):
            sb.add_custom_field("Contacts", name, "decimal", length=18, precision=3)
        sb.add_custom_field("Contacts", "sp_stage_c", "enum", length=100)
        sb.add_custom_field("Contacts", "sp_count_c", "int", length=11)
        yield sb


@pytest.fixture
def loaded(sandbox: RunningSandbox, tmp_path: Path,
           monkeypatch: pytest.MonkeyPatch) -> LoadedConfig:
    monkeypatch.setenv(SECRET_ENV, sandbox.client_secret)
    path = write_client_file(tmp_path, sandbox, f"sqlite:///{tmp_path / 'acme.db'}")
    document = valued_client_document(path)
    document["schedule"] = {"cron": "0 6 * * *", "timezone": "Europe/Berlin"}
    fields: dict[str, object] = {trait: {"field": f"Contacts.{name}", "precision": 3}
                                 for trait, name in MAPPED.items()
                                 if trait in ("clv", "p_alive", "churn_risk")}
    fields["lifecycle_stage"] = {"field": "Contacts.sp_stage_c", "type": "enum",
                                 "options": STAGES}
    fields["purchase_count"] = "Contacts.sp_count_c"
    document["writeback"] = {"fields": fields}
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return load_client(path)


def _run(loaded: LoadedConfig, store: Store, now: datetime) -> PushReport:
    sync_client(loaded.config, store=store, connections=Connections())
    traits = enrich_client(loaded.config, store, now=now)
    return push_client(loaded.config, traits, store=store, path=loaded.path)


def _without_thresholds(loaded: LoadedConfig) -> LoadedConfig:
    document = yaml.safe_load(loaded.path.read_text(encoding="utf-8"))
    for trait in ("clv", "p_alive", "churn_risk"):
        document["writeback"]["fields"][trait]["min_change"] = 0
    path = loaded.path.with_name("exact.yaml")
    path.write_text(yaml.safe_dump({**document, "client": "exact"}, sort_keys=False),
                    encoding="utf-8")
    return load_client(path)


def _crm(sandbox: RunningSandbox) -> dict[str, dict[str, object]]:
    with SuiteCRMClient(sandbox.suitecrm_settings()) as client:
        return {r.id: dict(r.attributes) for page in client.iter_pages(
            "Contacts", fields=list(MAPPED.values()), page_size=200) for r in page}


def test_no_new_data_writes_nothing_the_same_day_and_only_material_moves_the_next(
        sandbox: RunningSandbox, loaded: LoadedConfig) -> None:
    morning = datetime(2026, 12, 1, 7, 5, tzinfo=UTC)
    with Store.for_config(loaded.config) as store:
        first = _run(loaded, store, morning)
        assert first.records_written > 40 and not first.rejected
        prospects = [rid for rid, values in _crm(sandbox).items()
                     if str(values["sp_count_c"]) in ("0", "")]
        assert prospects, "the sandbox has contacts who never bought"
        for rid in prospects:  # undefined is empty, not 0 ("safe")
            values = _crm(sandbox)[rid]
            assert values["sp_palive_c"] in ("", None) and values["sp_churn_c"] in ("", None)

        assert _run(loaded, store, morning + timedelta(hours=1)).records_written == 0
        assert _run(loaded, store, morning + timedelta(hours=15)).records_written == 0

        before = _crm(sandbox)
        next_day = _run(loaded, store, morning + timedelta(days=1))
        assert next_day.fields_written < first.fields_written / 4
        held_back = sum(len(c.changes) for c in next_day.below_threshold)
        assert held_back > 0, "a day of ageing moves some values a little"
        for change in next_day.changes:
            for field in change.changes:
                old = before[change.record_id][field.field]
                if field.field == "sp_clv_c" and old not in ("", None) and field.new != "":
                    assert abs(Decimal(str(field.new)) - Decimal(str(old))) >= \
                        Decimal("0.02") * abs(Decimal(str(old)))
                if field.field in ("sp_palive_c", "sp_churn_c") and old not in ("", None) \
                        and field.new != "":
                    assert abs(Decimal(str(field.new)) - Decimal(str(old))) >= Decimal("0.02")


def test_a_new_purchase_changes_its_customers_fields_and_hardly_any_other(
        sandbox: RunningSandbox, loaded: LoadedConfig) -> None:
    morning = datetime(2026, 12, 1, 7, 5, tzinfo=UTC)
    with Store.for_config(loaded.config) as store:
        exact = _without_thresholds(loaded)  # the CRM then holds the day's exact values
        _run(exact, store, morning)
        _run(exact, store, morning + timedelta(days=1))
        buyer = next(rid for rid, values in _crm(sandbox).items()
                     if str(values["sp_count_c"]) not in ("0", ""))
        count = int(str(_crm(sandbox)[buyer]["sp_count_c"]))
        with SuiteCRMClient(sandbox.suitecrm_settings()) as client:
            client.create("AOS_Invoices", {"name": "big order", "billing_contact_id": buyer,
                                           "total_amount": "120.00",
                                           "invoice_date": "2026-12-01", "status": "Paid"})
        # the same day: new data counts at once, time alone has not moved
        after = _run(loaded, store, morning + timedelta(days=1, hours=1))
        changed = {change.record_id for change in after.changes}
        assert buyer in changed
        # the models are refitted with the new purchase: a few others may cross a threshold
        assert len(changed - {buyer}) <= len(_crm(sandbox)) // 100
        assert int(str(_crm(sandbox)[buyer]["sp_count_c"])) == count + 1
