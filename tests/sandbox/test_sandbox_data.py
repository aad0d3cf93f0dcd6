"""The synthetic data: seeded, realistic, and with signal for the value models."""

from __future__ import annotations

import hashlib
import os
import random
import statistics
import subprocess
import sys
from datetime import date
from pathlib import Path

from sandbox import SandboxSettings, create_app, sandbox_state
from sandbox.purchase_process import ProcessParameters, simulate_customer
from sandbox.state import SandboxState


def _state(seed: int, customers: int = 150) -> SandboxState:
    return sandbox_state(create_app(SandboxSettings(customers=customers, seed=seed,
                                                    anchor=date(2026, 11, 23))))


def _digest(state: SandboxState) -> str:
    rows = state.store.query(
        "SELECT id, first_name, last_name, email1, birthdate, date_modified FROM m_contacts "
        "ORDER BY id")
    rows += state.store.query("SELECT id, amount, date_closed FROM m_opportunities ORDER BY id")
    rows += state.store.query("SELECT * FROM sandbox_web_visits ORDER BY id")
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def test_same_seed_same_data_other_seed_other_data() -> None:
    assert _digest(_state(5)) == _digest(_state(5))
    assert _digest(_state(5)) != _digest(_state(6))


def test_contacts_have_demographics_and_accounts() -> None:
    state = _state(2)
    missing = state.store.query(
        "SELECT COUNT(*) FROM m_contacts WHERE birthdate IS NULL OR primary_address_city IS NULL"
        " OR primary_address_country IS NULL OR lead_source IS NULL OR email1 IS NULL")
    assert missing[0][0] == 0
    linked = state.store.query(
        "SELECT COUNT(DISTINCT b_id) FROM sandbox_links WHERE relationship = 'accounts_contacts'")
    assert linked[0][0] == 150


def test_every_won_opportunity_has_an_invoice_of_the_same_amount() -> None:
    state = _state(4)
    won = state.store.query("SELECT COUNT(*), ROUND(SUM(amount), 2) FROM m_opportunities "
                            "WHERE sales_stage = 'Closed Won'")
    invoiced = state.store.query("SELECT COUNT(*), ROUND(SUM(total_amount), 2) "
                                 "FROM m_aos_invoices")
    assert won == invoiced
    assert won[0][0] > 150  # repeat purchases: more purchases than customers
    stages = {r[0] for r in state.store.query("SELECT DISTINCT sales_stage FROM m_opportunities")}
    assert "Closed Won" in stages and len(stages) >= 3  # and a pipeline of other stages


def test_dropped_out_customers_look_less_recent_than_active_ones() -> None:
    rng = random.Random(11)
    params = ProcessParameters()
    alive, dropped = [], []
    for _ in range(3000):
        history = simulate_customer(rng, rng.uniform(0, 700), 1095.0, params)
        recency = 1095.0 - history.purchases[-1][0]
        (dropped if history.dropped_out_at is not None else alive).append(recency)
    assert statistics.mean(dropped) > statistics.mean(alive) * 1.5
    amounts = [a for _ in range(500)
               for _, a in simulate_customer(rng, 0, 1095.0, params).purchases]
    assert min(amounts) > 0 and statistics.mean(amounts) > 50


def test_engagement_tables_are_filled() -> None:
    state = _state(7)
    for table in ("sandbox_campaigns", "sandbox_campaign_activity", "sandbox_email_messages",
                  "sandbox_web_visits"):
        assert state.store.query(f"SELECT COUNT(*) FROM {table}")[0][0] > 0, table


_DUMP = """
import hashlib, sqlite3, sys
from datetime import date
from sandbox import SandboxSettings, create_app, sandbox_state
app = create_app(SandboxSettings(customers=120, seed=4, anchor=date(2026, 11, 30),
                                 db_path=sys.argv[1]))
sandbox_state(app).store.close()
rows = sqlite3.connect(sys.argv[1]).execute(
    "SELECT * FROM m_contacts ORDER BY id").fetchall()
print(len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
"""


def test_the_same_seed_gives_the_same_data_in_any_process_and_locale(tmp_path: Path) -> None:
    dumps = []
    for number, (hash_seed, locale) in enumerate([("1", "C.UTF-8"), ("2", "POSIX")]):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed, "LC_ALL": locale, "LANG": locale}
        done = subprocess.run([sys.executable, "-c", _DUMP, str(tmp_path / f"{number}.db")],
                              env=env, capture_output=True, text=True, check=True)
        dumps.append(done.stdout.strip())
    assert dumps[0] == dumps[1]
    assert dumps[0].startswith("120 ")
