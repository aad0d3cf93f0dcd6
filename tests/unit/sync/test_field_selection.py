"""Data minimisation: which fields of each SuiteCRM module are stored, and why."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import pytest

from sync.config import ClientConfig
from sync.field_selection import needed_fields
from sync.streams.suitecrm import SuiteCRMStream
from tests.fake_crm import FakeCRM, FakeRecord

BASE: dict[str, Any] = {
    "client": "acme",
    "suitecrm": {"base_url": "https://crm.example.com", "client_id": "x", "client_secret": "s"},
}


def _config(**sections: Any) -> ClientConfig:
    return ClientConfig.model_validate({**BASE, **sections})


def _fields(config: ClientConfig) -> dict[str, set[str]]:
    return {module: set(fields) for module, fields in needed_fields(config).items()}


def test_a_default_client_keeps_ids_purchase_fields_links_and_email_keys_only() -> None:
    assert _fields(_config()) == {
        "Accounts": {"id", "date_modified", "email1", "email2", "email"},
        "Contacts": {"id", "date_modified", "account_id", "email1", "email2", "email"},
        "Opportunities": {"id", "date_modified", "account_id", "amount", "date_closed",
                          "sales_stage", "currency_id"},
    }
    reasons = needed_fields(_config())
    assert str(reasons["Opportunities"]["amount"]) == \
        "purchases: amount (enrichment.purchases.amount_field)"
    assert str(reasons["Contacts"]["email1"]).endswith("where the module has it")


def test_rule_fields_writeback_fields_and_sync_fields_are_added_with_their_reason() -> None:
    config = _config(
        sync={"modules": ["Contacts", "Cases"], "fields": {"Cases": ["status"]}},
        enrichment={
            "customer_entity": "Contacts",
            "purchases": {"module": "AOS_Invoices", "amount_field": "total_amount",
                          "date_field": "invoice_date", "status_field": None,
                          "currency_field": None, "customer_field": "billing_contact_id"},
            "segments": [{"name": "Seniors in DE", "rule": {"all": [
                {"field": "age", "gte": 65},
                {"not": {"any": [{"field": "primary_address_country", "in": ["AT", "CH"]},
                                 {"field": "clv", "lt": 100}]}}]}}]},
        writeback={"fields": {"lifecycle_stage": "Contacts.sp_stage_c"}})
    needs = needed_fields(config)
    assert set(needs) == {"Contacts", "Cases", "AOS_Invoices"}
    assert set(needs["Contacts"]) == {"id", "date_modified", "birthdate",
                                      "primary_address_country", "email1", "email2", "email",
                                      "sp_stage_c"}  # clv is a trait; no account link needed
    assert str(needs["Contacts"]["birthdate"]) == \
        "rule segment 'Seniors in DE' (age) (enrichment.segments)"
    assert str(needs["Contacts"]["sp_stage_c"]) == \
        "write-back of lifecycle_stage (writeback.fields.lifecycle_stage)"
    assert set(needs["AOS_Invoices"]) == {"id", "date_modified", "billing_contact_id",
                                          "total_amount", "invoice_date"}
    assert str(needs["Cases"]["status"]) == "listed in sync.fields.Cases"
    assert set(needs["Cases"]) == {"id", "date_modified", "status"}


class _Recording(FakeCRM):
    """A fake CRM that keeps the field lists it was asked for."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: list[Sequence[str] | None] = []

    def first_page(self, module: str, *, fields: Sequence[str] | None,
                   conditions: Sequence[tuple[str, str, Any]], sort: str,
                   page_size: int) -> list[FakeRecord]:
        self.asked.append(fields)
        return super().first_page(module, fields=fields, conditions=conditions, sort=sort,
                                  page_size=page_size)


def test_a_needed_field_the_crm_lacks_is_not_requested_and_named_in_a_warning(
        caplog: pytest.LogCaptureFixture) -> None:
    crm = _Recording()
    crm.add("Contacts", name="Ann", email1="ann@example.com", birthdate="1980-01-01")
    config = _config(enrichment={"customer_entity": "Contacts", "segments": [
        {"name": "Gold", "rule": {"field": "loyalty_tier_c", "equals": "gold"}}]})
    stream = SuiteCRMStream(crm, "Contacts", fields=needed_fields(config)["Contacts"])
    with caplog.at_level(logging.WARNING):
        rows = [row for page in stream.read(None) for row in page]
    assert [set(row) for row in rows] == [{"id", "date_modified", "email1"}]
    assert crm.asked == [["date_modified", "email1", "id"]]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == ["Contacts has no field 'loyalty_tier_c', needed for rule segment "
                        "'Gold' (enrichment.segments): it is not pulled"]
