"""The tables enrichment takes, built from the store: customers, purchases, interactions.

Each module's records come out of the store as one JSON array parsed at once, and columns are
typed by the field types SuiteCRM reported (dates, numbers, booleans); no per-row loops.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

import pandas as pd

from connectors.suitecrm.field_types import ValueKind, value_kind
from sync.config import ClientConfig
from sync.store import Store
from sync.store.interactions import matched_interactions, matched_web_orders
from sync.store.module_fields import field_types
from sync.store.records import live_records

__all__ = ["EnrichmentInput", "load_frames", "module_frame"]

log = logging.getLogger(__name__)



@dataclass(frozen=True)
class EnrichmentInput:
    """What ``enrichment.compute_traits`` takes."""

    customers: pd.DataFrame
    purchases: pd.DataFrame
    interactions: pd.DataFrame


def _typed(frame: pd.DataFrame, types: dict[str, str]) -> pd.DataFrame:
    for column in frame.columns:
        kind = value_kind(types.get(column))
        if kind is ValueKind.DATETIME:
            frame[column] = pd.to_datetime(frame[column], utc=True, errors="coerce")
        elif kind is ValueKind.DATE:
            frame[column] = pd.to_datetime(frame[column], errors="coerce", format="%Y-%m-%d")
        elif kind in (ValueKind.DECIMAL, ValueKind.FLOAT):
            frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
        elif kind is ValueKind.INT:
            frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("Int64")
        elif kind is ValueKind.BOOL:
            frame[column] = frame[column].astype("boolean")
    return frame


def module_frame(store: Store, module: str) -> pd.DataFrame:
    """The live (not deleted) records of ``module``: column ``id`` plus typed attributes."""
    with store.transaction() as connection:
        rows = live_records(connection, module)
        types = field_types(connection, module)
    if not rows:
        return pd.DataFrame({"id": pd.Series(dtype="string")})
    ids, texts = zip(*rows, strict=True)
    frame = pd.DataFrame(json.loads("[" + ",".join(texts) + "]"))
    frame.insert(0, "id", pd.Series(ids, index=frame.index, dtype="string"))
    return _typed(frame, types)


def _purchases(store: Store, config: ClientConfig) -> pd.DataFrame:
    spec = config.enrichment.purchases
    records = module_frame(store, spec.module)
    columns = ["customer_id", "occurred_at", "amount", "currency", "record_id"]
    needed = [spec.customer_field, spec.date_field, spec.amount_field]
    if records.empty or any(field not in records.columns for field in needed):
        return pd.DataFrame({name: pd.Series(dtype="object") for name in columns})
    if spec.status_field:
        status = records.get(spec.status_field, pd.Series(index=records.index, dtype="object"))
        records = records[status.isin(spec.won_values)]
    frame = pd.DataFrame({
        "customer_id": records[spec.customer_field].astype("string"),
        "occurred_at": pd.to_datetime(records[spec.date_field], utc=True, errors="coerce"),
        "amount": pd.to_numeric(records[spec.amount_field], errors="coerce").astype("float64"),
        "currency": (records[spec.currency_field].astype("string")
                     if spec.currency_field and spec.currency_field in records.columns
                     else pd.Series(pd.NA, index=records.index, dtype="string")),
        "record_id": records["id"],
    })
    usable = frame["customer_id"].notna() & (frame["customer_id"] != "") & \
        frame["occurred_at"].notna()
    if (~usable).any():
        log.info("%d purchases without a customer or a date left out", int((~usable).sum()))
    return frame[usable].reset_index(drop=True)


def _as_customers(store: Store, config: ClientConfig, frame: pd.DataFrame) -> pd.DataFrame:
    """Rows of ``frame`` linked to a customer: contacts stand for their account if needed."""
    entity = config.enrichment.customer_entity.value
    if entity != "Contacts" and not frame.empty:
        contacts = module_frame(store, "Contacts")
        account_of = (contacts.set_index("id")["account_id"]
                      if "account_id" in contacts.columns else pd.Series(dtype="string"))
        via_contact = frame["person_module"] == "Contacts"
        frame.loc[via_contact, "person_id"] = frame.loc[via_contact, "person_id"].map(account_of)
        frame.loc[via_contact, "person_module"] = entity
    return frame[(frame["person_module"] == entity) & frame["person_id"].notna()]


def _interactions(store: Store, config: ClientConfig) -> pd.DataFrame:
    with store.transaction() as connection:
        rows = matched_interactions(connection)
    frame = _as_customers(store, config, pd.DataFrame(rows, columns=[
        "person_module", "person_id", "occurred_at", "channel", "kind"]))
    return pd.DataFrame({
        "customer_id": frame["person_id"].astype("string"),
        "occurred_at": pd.to_datetime(frame["occurred_at"], utc=True),
        "channel": frame["channel"].astype("string"),
        "kind": frame["kind"].astype("string"),
    }).reset_index(drop=True)


def _web_orders(store: Store, config: ClientConfig) -> pd.DataFrame:
    """Matched web shop orders as purchase rows, each order id once (``record_id``)."""
    with store.transaction() as connection:
        rows = matched_web_orders(connection)
    frame = pd.DataFrame(rows, columns=["person_module", "person_id", "occurred_at", "amount",
                                        "currency", "record_id"])
    frame = _as_customers(store, config, frame.drop_duplicates("record_id"))
    return pd.DataFrame({
        "customer_id": frame["person_id"].astype("string"),
        "occurred_at": pd.to_datetime(frame["occurred_at"], utc=True),
        "amount": pd.to_numeric(frame["amount"], errors="coerce").astype("float64"),
        "currency": frame["currency"].astype("string"),
        "record_id": frame["record_id"].astype("string"),
    }).reset_index(drop=True)


def _all_purchases(store: Store, config: ClientConfig) -> pd.DataFrame:
    crm = _purchases(store, config)
    if not config.enrichment.purchases.from_web_orders:
        return crm
    web = _web_orders(store, config)
    if web.empty:
        return crm
    return web if crm.empty else pd.concat([crm, web], ignore_index=True)


def load_frames(store: Store, config: ClientConfig) -> EnrichmentInput:
    """Customers, purchases and interactions of the client, as enrichment takes them."""
    return EnrichmentInput(
        customers=module_frame(store, config.enrichment.customer_entity.value),
        purchases=_all_purchases(store, config),
        interactions=_interactions(store, config),
    )
