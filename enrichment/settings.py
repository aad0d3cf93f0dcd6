"""Settings of the enrichment: which records are purchases, and how traits are computed."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["CustomerEntity", "EnrichmentSettings", "PurchaseSettings", "ValueModelSettings"]


class CustomerEntity(StrEnum):
    """The SuiteCRM module whose records are the customers."""

    CONTACTS = "Contacts"
    ACCOUNTS = "Accounts"


class PurchaseSettings(BaseModel):
    """Which SuiteCRM records count as purchases, and where their fields are.

    The default is Closed Won opportunities; for AOS invoices use module ``AOS_Invoices``,
    ``amount_field: total_amount``, ``date_field: invoice_date``, ``status_field: status`` and
    ``won_values: [Paid]``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    module: str = Field("Opportunities", min_length=1)
    amount_field: str = Field("amount", min_length=1)
    date_field: str = Field("date_closed", min_length=1)
    status_field: str | None = Field("sales_stage", description="None: every record counts.")
    won_values: list[str] = Field(default_factory=lambda: ["Closed Won"])
    currency_field: str | None = "currency_id"
    customer_field: str = Field(
        "account_id", min_length=1, description="The field that holds the customer's id."
    )


class ValueModelSettings(BaseModel):
    """The customer value model: horizon and discounting of predicted purchases."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    horizon_days: int = Field(365, ge=1, le=3650, description="How far ahead value is predicted.")
    annual_discount_rate: float = Field(
        0.10, ge=0, lt=1, description="Yearly rate that discounts future purchases."
    )


class EnrichmentSettings(BaseModel):
    """Everything enrichment needs to know about one client."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    customer_entity: CustomerEntity = CustomerEntity.ACCOUNTS
    purchases: PurchaseSettings = Field(default_factory=PurchaseSettings)
    value_model: ValueModelSettings = Field(default_factory=ValueModelSettings)
