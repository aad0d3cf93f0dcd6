"""Seeded synthetic CRM data: accounts, contacts, purchases (opportunities and invoices),
leads and cases, plus the engagement the mail and analytics endpoints serve.

Same seed and anchor date, same data. Days are counted on one axis whose day 0 is the anchor
minus three years.
"""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sandbox.day_clock import DayClock
from sandbox.engagement import Engagement, generate_engagement
from sandbox.name_pools import NamePools, ascii_slug
from sandbox.purchase_process import ProcessParameters, simulate_customer
from sandbox.state import ADMIN_ID
from sandbox.storage import Store
from sandbox.values import stored_defaults

__all__ = ["GenerationReport", "generate"]

log = logging.getLogger(__name__)

_HISTORY_DAYS = 3 * 365
_LEAD_SOURCES = ["Cold Call", "Existing Customer", "Self Generated", "Employee", "Partner",
                 "Public Relations", "Direct Mail", "Conference", "Trade Show", "Web Site",
                 "Word of mouth", "Email", "Campaign", "Other"]
_INDUSTRIES = ["Apparel", "Banking", "Biotechnology", "Chemicals", "Communications",
               "Construction", "Consulting", "Education", "Electronics", "Energy",
               "Engineering", "Entertainment", "Finance", "Healthcare", "Hospitality",
               "Insurance", "Machinery", "Manufacturing", "Media", "Retail", "Technology",
               "Transportation", "Utilities"]
_TITLES = ["CEO", "CTO", "CFO", "Head of Marketing", "Buyer", "Office Manager", "Engineer",
           "Consultant", "Sales Manager", "Analyst", "Owner", "Director"]
_DEPARTMENTS = ["Sales", "Marketing", "Finance", "IT", "Operations", "Purchasing", "HR"]
_PRODUCTS = ["Starter plan", "Pro plan", "Add-on pack", "Support renewal", "Hardware kit",
             "Training", "Consulting day", "Annual licence"]
_OPEN_STAGES = ["Prospecting", "Qualification", "Needs Analysis", "Value Proposition",
                "Proposal/Price Quote", "Negotiation/Review", "Closed Lost"]
_LEAD_STATUS = ["New", "Assigned", "In Process", "Converted", "Recycled", "Dead"]
_CASE_TYPES = ["Administration", "Product", "User"]
_CASE_STATUS = [("Open_New", "Open"), ("Open_Assigned", "Open"), ("Closed_Closed", "Closed"),
                ("Pending_Input", "Open"), ("Closed_Rejected", "Closed")]


@dataclass
class GenerationReport:
    """What was generated and how long it took."""

    seed: int
    anchor: date
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


class _Ids:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def new(self) -> str:
        h = f"{self.rng.getrandbits(128):032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


class _Clock(DayClock):
    def __init__(self, anchor: date) -> None:
        start = datetime(anchor.year, anchor.month, anchor.day, tzinfo=UTC)
        super().__init__(start - timedelta(days=_HISTORY_DAYS))
        self.end = float(_HISTORY_DAYS)

    def day(self, day: float) -> str:
        return self.date(day)


class _Writer:
    """Collects rows per module and inserts them with the module's defaults."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.rows: dict[str, list[dict[str, Any]]] = {}
        self.links: list[tuple[str, str, str, str, str, str]] = []

    def add(self, module: str, row: dict[str, Any]) -> None:
        self.rows.setdefault(module, []).append(row)

    def relate(self, relationship: str, a_module: str, a_id: str, b_module: str, b_id: str,
               stamp: str) -> None:
        self.links.append((relationship, a_module, a_id, b_module, b_id, stamp))

    def flush(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        with self.store.transaction():
            for name, rows in self.rows.items():
                module = self.store.schema.modules[name]
                defaults = stored_defaults(module.fields)
                base = {"deleted": 0, "created_by": ADMIN_ID, "modified_user_id": ADMIN_ID,
                        **defaults}
                columns = sorted({*base, *(k for r in rows for k in r)})
                self.store.insert_many(
                    module, columns,
                    ([r.get(c, base.get(c)) for c in columns] for r in rows))
                counts[name] = len(rows)
            self.store.executemany("INSERT OR IGNORE INTO sandbox_links VALUES (?,?,?,?,?,?)",
                                   self.links)
        return counts


def _person(rng: random.Random, pools: NamePools, clock: _Clock, ids: _Ids,
            index: int) -> dict[str, Any]:
    locale = pools.locale(rng)
    first = rng.choice(pools.first_names[locale])
    last = rng.choice(pools.last_names[locale])
    city, postcode, country = rng.choice(pools.cities[locale])
    entered = rng.uniform(0, clock.end - 1)
    birth = clock.date(_HISTORY_DAYS - rng.randint(18 * 365, 80 * 365))
    domain = rng.choice(["example.com", "example.org", "example.net", "mail.example.com"])
    return {
        "id": ids.new(), "first_name": first, "last_name": last,
        "salutation": rng.choice(["", "Mr.", "Ms.", "Mrs.", "Dr."]),
        "title": rng.choice(_TITLES), "department": rng.choice(_DEPARTMENTS),
        "phone_work": f"+1-555-{rng.randint(100, 999):03d}-{rng.randint(0, 9999):04d}",
        "phone_mobile": f"+1-555-{rng.randint(100, 999):03d}-{rng.randint(0, 9999):04d}",
        "email1": f"{ascii_slug(first)}.{ascii_slug(last)}{index}@{domain}",
        "email_opt_out": 1 if rng.random() < 0.05 else 0, "invalid_email": 0,
        "primary_address_street": rng.choice(pools.streets[locale]),
        "primary_address_city": city, "primary_address_postalcode": postcode,
        "primary_address_country": country, "birthdate": birth,
        "lead_source": rng.choice(_LEAD_SOURCES),
        "date_entered": clock.stamp(entered), "date_modified": clock.stamp(entered),
        "_entered": entered,
    }


def _accounts(rng: random.Random, pools: NamePools, clock: _Clock, ids: _Ids, writer: _Writer,
              count: int) -> list[dict[str, Any]]:
    accounts = []
    for index in range(count):
        company, locale = rng.choice(pools.companies)
        city, postcode, country = rng.choice(pools.cities[locale])
        entered = rng.uniform(0, clock.end * 0.6)
        row = {
            "id": ids.new(), "name": company if index < len(pools.companies) else
            f"{company} {city}", "account_type": rng.choice(["Customer", "Prospect", "Partner"]),
            "industry": rng.choice(_INDUSTRIES), "billing_address_city": city,
            "billing_address_postalcode": postcode, "billing_address_country": country,
            "billing_address_street": rng.choice(pools.streets[locale]),
            "phone_office": f"+1-555-{rng.randint(100, 999):03d}-{rng.randint(0, 9999):04d}",
            "website": f"https://www.{ascii_slug(company)[:20]}.example",
            "employees": str(rng.choice([5, 10, 25, 50, 120, 300, 1000, 5000])),
            "date_entered": clock.stamp(entered),
            "date_modified": clock.stamp(rng.uniform(entered, clock.end)),
        }
        writer.add("Accounts", row)
        accounts.append(row)
    return accounts


def _purchases(rng: random.Random, clock: _Clock, ids: _Ids, writer: _Writer,
               contact: dict[str, Any], account: dict[str, Any], invoice_no: list[int],
               params: ProcessParameters) -> tuple[float, float | None]:
    """Closed Won opportunities and paid invoices for one customer; (last day, dropout day)."""
    first = contact["_entered"] + rng.uniform(0, 45)
    history = simulate_customer(rng, first, clock.end, params)
    last = contact["_entered"]
    for number, (day, amount) in enumerate(history.purchases):
        opp_id, invoice_id = ids.new(), ids.new()
        stamp, closed = clock.stamp(day), clock.day(day)
        writer.add("Opportunities", {
            "id": opp_id, "name": f"{account['name']} - {rng.choice(_PRODUCTS)}",
            "amount": amount, "amount_usdollar": amount, "currency_id": "-99",
            "sales_stage": "Closed Won", "probability": 100, "date_closed": closed,
            "opportunity_type": "New Business" if number == 0 else "Existing Business",
            "lead_source": contact["lead_source"],
            "date_entered": clock.stamp(max(day - rng.uniform(1, 30), contact["_entered"])),
            "date_modified": stamp,
        })
        writer.relate("opportunities_contacts", "Opportunities", opp_id, "Contacts",
                      contact["id"], stamp)
        writer.relate("accounts_opportunities", "Accounts", account["id"], "Opportunities",
                      opp_id, stamp)
        invoice_no[0] += 1
        paid = day < clock.end - 30 or rng.random() < 0.5
        writer.add("AOS_Invoices", {
            "id": invoice_id, "name": f"Invoice INV-{invoice_no[0]:07d}",
            "number": invoice_no[0], "invoice_date": closed,
            "due_date": clock.day(day + 30), "status": "Paid" if paid else "Unpaid",
            "currency_id": "-99", "total_amt": amount,
            "subtotal_amount": round(amount / 1.2, 2), "discount_amount": 0.0,
            "tax_amount": round(amount - amount / 1.2, 2), "total_amount": amount,
            "billing_address_city": account["billing_address_city"],
            "billing_address_country": account["billing_address_country"],
            "date_entered": stamp, "date_modified": stamp,
        })
        writer.relate("contact_aos_invoices", "Contacts", contact["id"], "AOS_Invoices",
                      invoice_id, stamp)
        writer.relate("account_aos_invoices", "Accounts", account["id"], "AOS_Invoices",
                      invoice_id, stamp)
        last = day
    return last, history.dropped_out_at


def _open_opportunity(rng: random.Random, clock: _Clock, ids: _Ids, writer: _Writer,
                      contact: dict[str, Any], account: dict[str, Any]) -> None:
    day = rng.uniform(contact["_entered"], clock.end)
    stage = rng.choice(_OPEN_STAGES)
    opp_id = ids.new()
    amount = round(rng.gammavariate(2.0, 400.0), 2)
    writer.add("Opportunities", {
        "id": opp_id, "name": f"{account['name']} - {rng.choice(_PRODUCTS)}",
        "amount": amount, "amount_usdollar": amount, "currency_id": "-99",
        "sales_stage": stage, "probability": 0 if stage == "Closed Lost" else rng.randint(10, 90),
        "date_closed": clock.day(day + rng.uniform(-20, 90)),
        "opportunity_type": "New Business", "lead_source": contact["lead_source"],
        "date_entered": clock.stamp(day), "date_modified": clock.stamp(day),
    })
    writer.relate("opportunities_contacts", "Opportunities", opp_id, "Contacts", contact["id"],
                  clock.stamp(day))
    writer.relate("accounts_opportunities", "Accounts", account["id"], "Opportunities", opp_id,
                  clock.stamp(day))


def _case(rng: random.Random, clock: _Clock, ids: _Ids, writer: _Writer, number: int,
          contact: dict[str, Any], account: dict[str, Any]) -> None:
    day = rng.uniform(contact["_entered"], clock.end)
    status, state = rng.choice(_CASE_STATUS)
    case_id = ids.new()
    writer.add("Cases", {
        "id": case_id, "name": rng.choice(["Cannot log in", "Invoice question", "Feature request",
                                           "Delivery delayed", "Bug report", "Refund request"]),
        "case_number": number, "type": rng.choice(_CASE_TYPES), "status": status,
        "state": state, "priority": rng.choice(["P1", "P2", "P3"]),
        "date_entered": clock.stamp(day), "date_modified": clock.stamp(day + rng.uniform(0, 10)),
    })
    writer.relate("contacts_cases", "Contacts", contact["id"], "Cases", case_id, clock.stamp(day))
    writer.relate("account_cases", "Accounts", account["id"], "Cases", case_id, clock.stamp(day))


def _lead(rng: random.Random, pools: NamePools, clock: _Clock, ids: _Ids, writer: _Writer,
          index: int) -> None:
    row = _person(rng, pools, clock, ids, index)
    row.pop("_entered")
    company, _ = rng.choice(pools.companies)
    row.update(status=rng.choice(_LEAD_STATUS), account_name=company,
               email1=row["email1"].replace("@", ".lead@"))
    writer.add("Leads", row)


def generate(store: Store, *, customers: int, seed: int, anchor: date,
             params: ProcessParameters | None = None) -> GenerationReport:
    """Fill an empty store; returns counts and the time taken."""
    started = time.perf_counter()
    params = params or ProcessParameters()
    rng = random.Random(seed)
    ids = _Ids(random.Random(seed + 7))
    pools = NamePools.build(seed)
    clock = _Clock(anchor)
    writer = _Writer(store)
    # About three contacts per account, so accounts as customers still show the process.
    accounts = _accounts(rng, pools, clock, ids, writer, max(1, customers // 3))
    invoice_no = [0]
    people: list[tuple[dict[str, Any], float, float | None, bool]] = []
    for index in range(customers):
        contact = _person(rng, pools, clock, ids, index)
        account = rng.choice(accounts)
        buyer = rng.random() < 0.7
        last, dropped = contact["_entered"], None
        if buyer:
            last, dropped = _purchases(rng, clock, ids, writer, contact, account, invoice_no,
                                       params)
        if rng.random() < 0.12:
            _open_opportunity(rng, clock, ids, writer, contact, account)
        if rng.random() < 0.08:
            _case(rng, clock, ids, writer, index + 1, contact, account)
        contact["date_modified"] = clock.stamp(min(clock.end, last + rng.uniform(0, 20)))
        entered = contact.pop("_entered")
        writer.add("Contacts", contact)
        writer.relate("accounts_contacts", "Accounts", account["id"], "Contacts", contact["id"],
                      contact["date_entered"])
        people.append(({"id": contact["id"], "email": contact["email1"],
                        "first_name": contact["first_name"], "last_name": contact["last_name"],
                        "opt_out": contact["email_opt_out"]}, entered, dropped, buyer))
    for index in range(customers // 5):
        _lead(rng, pools, clock, ids, writer, index)
    counts = writer.flush()
    engagement: Engagement = generate_engagement(store, random.Random(seed + 13), people,
                                                 clock, clock.end, ids.new)
    counts.update(engagement.counts)
    store.set_info("seed", str(seed))
    store.set_info("anchor", anchor.isoformat())
    store.set_info("customers", str(customers))
    report = GenerationReport(seed, anchor, counts, time.perf_counter() - started)
    log.info("generated %s in %.1f s", counts, report.seconds)
    return report

