"""load_frames: the customers, purchases and interactions tables enrichment takes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pandas as pd

from sync.frames import load_frames
from sync.privacy_key import client_key
from sync.pull import sync_client
from sync.store import Store
from sync.store.interactions import store_interactions
from tests.fake_crm import FakeCRM
from tests.unit.sync.conftest import MakeConfig


def test_frames_from_a_synced_store(make_config: MakeConfig, crm: FakeCRM, store: Store) -> None:
    ann = crm.add("Contacts", name="Ann", email1="ann@example.com", birthdate=date(1980, 5, 1),
                  score_c=7)
    bob = crm.add("Contacts", name="Bob", email1="bob@example.com", birthdate=None, score_c=None)
    crm.add("Opportunities", name="won", contact_id=ann, amount=Decimal("1200.50"),
            date_closed=date(2025, 11, 3), sales_stage="Closed Won", currency_id="-99")
    crm.add("Opportunities", name="lost", contact_id=bob, amount=Decimal("99"),
            date_closed=date(2025, 12, 1), sales_stage="Closed Lost", currency_id="-99")
    gone = crm.add("Contacts", name="Gone", email1="gone@example.com")
    config = make_config(sync={"fields": {"Contacts": ["birthdate", "score_c"]}})
    sync_client(config, store=store, connections=crm.connections())
    crm.delete("Contacts", gone)
    sync_client(config, store=store, connections=crm.connections(), full=True)
    when = datetime(2026, 1, 5, 10, 30, tzinfo=UTC)
    with store.transaction() as connection:
        store_interactions(connection, "imap:inbox", "email", [
            {"id": "m1", "occurred_at": when, "kind": "received", "email": "ANN@example.com"},
            {"id": "m2", "occurred_at": when, "kind": "received", "email": "x@example.com"}],
            now=when, key=client_key(config))
    sync_client(config, store=store, connections=crm.connections())  # resolves identities

    frames = load_frames(store, config)

    customers = frames.customers.set_index("id")
    assert sorted(customers.index) == sorted([ann, bob])
    assert customers.loc[ann, "birthdate"] == pd.Timestamp("1980-05-01")
    assert pd.isna(customers.loc[bob, "birthdate"])
    assert str(customers["score_c"].dtype) == "Int64"
    purchases = frames.purchases
    assert purchases[["customer_id", "amount"]].values.tolist() == [[ann, 1200.5]]
    assert purchases["occurred_at"].iloc[0] == pd.Timestamp("2025-11-03", tz="UTC")
    interactions = frames.interactions
    assert interactions.to_dict("records") == [
        {"customer_id": ann, "occurred_at": pd.Timestamp(when), "channel": "email",
         "kind": "received"}]


def test_web_orders_count_as_purchases_only_when_configured_each_order_once(
        make_config: MakeConfig, crm: FakeCRM, store: Store) -> None:
    ann = crm.add("Contacts", name="Ann", email1="ann@example.com")
    when = datetime(2026, 2, 1, 9, 0, tzinfo=UTC)
    order = {"id": "order:A-1", "occurred_at": when, "kind": "order", "amount": 49.5,
             "currency": "eur", "matomo_user_id": "ann@example.com", "order_id": "A-1"}
    with store.transaction() as connection:
        for site in (1, 2):  # the same shop order seen on two sites
            store_interactions(connection, f"matomo_visits_{site}", "web", [
                order, {**order, "id": f"{site}:7", "kind": "visit", "amount": None},
                {**order, "id": "order:B-2", "matomo_user_id": "stranger@example.com"}],
                now=when, key=client_key(make_config()), matomo_user_id_is_email=True)
    plain = make_config()
    sync_client(plain, store=store, connections=crm.connections())  # resolves identities
    assert load_frames(store, plain).purchases.empty

    with_orders = make_config(enrichment={"purchases": {
        "module": "Opportunities", "customer_field": "contact_id", "from_web_orders": True}})
    purchases = load_frames(store, with_orders).purchases
    assert purchases[["customer_id", "amount", "currency", "record_id"]].values.tolist() == [
        [ann, 49.5, "EUR", "order:A-1"]]
    assert purchases["occurred_at"].iloc[0] == pd.Timestamp(when)
