"""Purchase rows from CRM records per ``PurchaseSettings``."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from enrichment.errors import EnrichmentError
from enrichment.purchases import purchase_rows
from enrichment.settings import PurchaseSettings


def test_closed_won_opportunities_by_default() -> None:
    records = pd.DataFrame({
        "id": ["o1", "o2", "o3"], "account_id": ["a", "a", "b"],
        "date_closed": ["2024-01-05", "2024-02-01", "not a date"],
        "amount": [Decimal("100.50"), Decimal("5"), "7"],
        "sales_stage": ["Closed Won", "Closed Lost", "Closed Won"],
        "currency_id": ["-99", "-99", "EUR"],
    })
    rows = purchase_rows(records, PurchaseSettings())
    assert list(rows["record_id"]) == ["o1", "o3"]
    assert list(rows["customer_id"]) == ["a", "b"]
    assert list(rows["amount"]) == [100.5, 7.0]
    assert rows["occurred_at"].iloc[0] == pd.Timestamp("2024-01-05", tz="UTC")
    assert pd.isna(rows["occurred_at"].iloc[1])
    assert list(rows["currency"]) == ["-99", "EUR"]


def test_paid_invoices_and_missing_fields() -> None:
    settings = PurchaseSettings(module="AOS_Invoices", amount_field="total_amount",
                                date_field="invoice_date", status_field="status",
                                won_values=["Paid"], customer_field="billing_account_id",
                                currency_field=None)
    records = pd.DataFrame({"id": ["i1", "i2"], "billing_account_id": ["a", "b"],
                            "invoice_date": ["2024-03-01", "2024-03-02"],
                            "total_amount": [10, 20], "status": ["Paid", "Unpaid"]})
    assert list(purchase_rows(records, settings)["record_id"]) == ["i1"]
    with pytest.raises(EnrichmentError, match="no field 'status'"):
        purchase_rows(records.drop(columns="status"), settings)
