"""Purchases from CRM records: the rows of the configured module that count as purchases.

By default Closed Won opportunities (``sales_stage``, ``date_closed``, ``amount``,
``account_id``); ``PurchaseSettings`` names another module and its fields, e.g. AOS invoices
with status Paid.
"""

from __future__ import annotations

import pandas as pd

from enrichment.errors import EnrichmentError
from enrichment.settings import PurchaseSettings

__all__ = ["purchase_rows"]


def purchase_rows(records: pd.DataFrame, settings: PurchaseSettings) -> pd.DataFrame:
    """``customer_id, occurred_at, amount, currency, record_id`` of the purchase records.

    ``records`` has the module's ``id`` and fields as columns. Records whose status is not
    one of ``won_values`` (when a status field is set) are left out; dates become UTC
    timestamps (unparsable ones NaT, which ``compute_traits`` ignores) and amounts floats.
    """
    needed = ["id", settings.customer_field, settings.date_field, settings.amount_field]
    if settings.status_field:
        needed.append(settings.status_field)
    for column in needed:
        if column not in records.columns:
            raise EnrichmentError(f"the {settings.module} records have no field {column!r}",
                                  column=column,
                                  hint="pull the field with sync, or fix enrichment.purchases")
    rows = records
    if settings.status_field:
        rows = rows.loc[rows[settings.status_field].isin(settings.won_values)]
    currency = (rows[settings.currency_field] if settings.currency_field
                and settings.currency_field in rows.columns else None)
    return pd.DataFrame({
        "customer_id": rows[settings.customer_field].to_numpy(),
        "occurred_at": pd.to_datetime(rows[settings.date_field], errors="coerce",
                                      utc=True).to_numpy(),
        "amount": pd.to_numeric(rows[settings.amount_field], errors="coerce").to_numpy(float),
        "currency": None if currency is None else currency.to_numpy(),
        "record_id": rows["id"].to_numpy(),
    })
