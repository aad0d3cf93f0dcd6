"""Writes per run over a simulated week, before and after the day clock and min_change.

A sandbox of N customers (served over HTTP on loopback) is synced, enriched and pushed every
6 hours for 7 days, with no new data, and again with 1 % of the customers buying once a day.
Five traits are mapped (CLV, P(alive), churn risk, lifecycle stage, purchase count).

- before: traits computed as of the exact second of the run and every change written (how
  SuitePulse worked until the day clock; emulated by patching the as-of rule and setting
  min_change 0);
- after: the shipped defaults (start of the day in the schedule's timezone, min_change per
  trait).

It prints the records and fields written per run (the first run, which fills the fields, is
shown apart).

    python benchmarks/bench_stable_writes.py --customers 1000
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sync.enrich_step as enrich_step
from connectors.suitecrm import SuiteCRMClient
from sandbox import RunningSandbox, running_sandbox
from sync.config import LoadedConfig, load_client
from sync.pull import sync_client
from sync.store import Store
from sync.streams.connections import Connections
from sync.writeback.commands import push_client

ANCHOR = date(2026, 11, 30)
START = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
NUMBERS = {"clv": "sp_clv_c", "p_alive": "sp_palive_c", "churn_risk": "sp_churn_c"}
STAGES = ["reach", "engagement", "purchase", "retention", "loyalty", "decline", "lapsed"]


def _client(folder: Path, sb: RunningSandbox, *, before: bool) -> LoadedConfig:
    fields: dict[str, Any] = {trait: {"field": f"Contacts.{name}", "precision": 3,
                                      **({"min_change": 0} if before else {})}
                              for trait, name in NUMBERS.items()}
    fields["lifecycle_stage"] = {"field": "Contacts.sp_stage_c", "type": "enum",
                                 "options": STAGES}
    fields["purchase_count"] = "Contacts.sp_count_c"
    document = {
        "client": "acme",
        "suitecrm": {"base_url": sb.base_url, "api_layout": "7.x", "client_id": sb.client_id,
                     "client_secret": sb.client_secret, "page_size": 500},
        "sync": {"modules": ["Contacts", "AOS_Invoices"]},
        "enrichment": {"customer_entity": "Contacts", "purchases": {
            "module": "AOS_Invoices", "customer_field": "billing_contact_id",
            "amount_field": "total_amount", "date_field": "invoice_date",
            "status_field": "status", "won_values": ["Paid", "Unpaid"]},
            "value_model": {"model": "bgnbd", "interval_draws": 0}},
        "schedule": {"cron": "0 */6 * * *", "timezone": "Europe/Berlin"},
        "writeback": {"fields": fields},
        "store": {"url": f"sqlite:///{folder / 'acme.sqlite3'}"},
    }
    path = folder / "acme.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return load_client(path)


def _week(customers: int, *, before: bool, buying: float) -> list[tuple[int, int]]:
    """(records, fields) written by each run of the week."""
    original = enrich_step.as_of_moment
    if before:
        enrich_step.as_of_moment = lambda config, now: now  # type: ignore[assignment]
    try:
        with tempfile.TemporaryDirectory() as folder, \
                running_sandbox(customers=customers, seed=3, anchor=ANCHOR) as sb:
            for name in NUMBERS.values():
                sb.add_custom_field("Contacts", name, "decimal", length=18, precision=3)
            sb.add_custom_field("Contacts", "sp_stage_c", "enum", length=100)
            sb.add_custom_field("Contacts", "sp_count_c", "int", length=11)
            loaded = _client(Path(folder), sb, before=before)
            with SuiteCRMClient(sb.suitecrm_settings()) as crm:
                ids = [r.id for page in crm.iter_pages("Contacts", fields=["last_name"],
                                                         page_size=500) for r in page]
            dice = random.Random(7)
            counts = []
            with Store.for_config(loaded.config) as store:
                for step in range(7 * 4):
                    now = START + timedelta(hours=6 * step)
                    if buying and step % 4 == 0 and step:
                        with SuiteCRMClient(sb.suitecrm_settings()) as crm:
                            for buyer in dice.sample(ids, max(1, int(buying * len(ids)))):
                                crm.create("AOS_Invoices", {
                                    "name": "order", "billing_contact_id": buyer,
                                    "total_amount": f"{dice.uniform(20, 400):.2f}",
                                    "invoice_date": now.date().isoformat(), "status": "Paid"})
                    sync_client(loaded.config, store=store, connections=Connections())
                    traits = enrich_step.enrich_client(loaded.config, store, now=now)
                    report = push_client(loaded.config, traits, store=store, path=loaded.path)
                    counts.append((report.records_written, report.fields_written))
            return counts
    finally:
        enrich_step.as_of_moment = original


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1000)
    args = parser.parse_args()
    print(f"{args.customers:,} sandbox customers, a run every 6 hours for 7 days (28 runs)")
    for buying, label in ((0.0, "no new data"), (0.01, "1 % of customers buy each day")):
        for before in (True, False):
            counts = _week(args.customers, before=before, buying=buying)
            later = counts[1:]
            records = sum(r for r, _ in later)
            fields = sum(f for _, f in later)
            print(f"  {label:32} {'before' if before else 'after ':6}  first run "
                  f"{counts[0][0]:5} records; next 27 runs: {records:6} records "
                  f"({records / len(later):7.1f} per run), {fields:6} fields")


if __name__ == "__main__":
    main()
