"""Vardefs of the modules no recording shows: Leads, Cases, AOS_Invoices and the rest.

They are composed from the recorded Contacts and Accounts vardefs (the basic, assignable and
person templates SuiteCRM builds every module from) plus the module's own columns, as listed in
SuiteCRM's modules/<Module>/vardefs.php.
"""

from __future__ import annotations

from typing import Any

from sandbox.schema import ModuleDef

__all__ = ["build_extra_modules", "generic_module"]

_BASIC_END = "SecurityGroups"
_PERSON_START, _PERSON_END = "salutation", "assistant_phone"
_EMAIL_FIELDS = ("email_addresses_primary", "email_addresses", "email_addresses_non_primary")

_OBJECT_NAMES = {
    "Cases": "Case", "Opportunities": "Opportunity", "Leads": "Lead",
    "AOS_Invoices": "AOS_Invoices",
    "Calls": "Call", "Campaigns": "Campaign", "AOS_Contracts": "AOS_Contracts",
    "Documents": "Document", "EmailTemplates": "EmailTemplate", "Emails": "Email",
    "FP_events": "FP_events", "AOK_Knowledge_Base_Categories": "AOK_Knowledge_Base_Categories",
    "AOK_KnowledgeBase": "AOK_KnowledgeBase", "FP_Event_Locations": "FP_Event_Locations",
    "Meetings": "Meeting", "Notes": "Note", "AOS_PDF_Templates": "AOS_PDF_Templates",
    "AOS_Products": "AOS_Products", "AOS_Product_Categories": "AOS_Product_Categories",
    "Project": "Project", "AM_ProjectTemplates": "AM_ProjectTemplates", "AOS_Quotes": "AOS_Quotes",
    "AOR_Reports": "AOR_Reports", "Spots": "Spots", "Surveys": "Surveys", "Tasks": "Task",
}


def _slice(fields: dict[str, dict[str, Any]], start: str | None, end: str) -> dict[str, Any]:
    names = list(fields)
    first = names.index(start) if start else 0
    last = names.index(end)
    return {n: dict(fields[n]) for n in names[first : last + 1]}


def _col(type_: str, db_type: str | None = None, **extra: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {"type": type_, "required": False, "dbType": db_type or type_}
    meta.update(extra)
    return meta


def _link(relationship: str) -> dict[str, Any]:
    return {"type": "link", "relationship": relationship, "source": "non-db", "required": False,
            "dbType": "link"}


def _relate(db_type: str = "relate") -> dict[str, Any]:
    return {"type": "relate", "source": "non-db", "required": False, "dbType": db_type}


def _maps(contacts: ModuleDef) -> dict[str, Any]:
    return {n: dict(m) for n, m in contacts.fields.items() if n.startswith("jjwg_maps_")}


def _leads(contacts: ModuleDef) -> ModuleDef:
    fields = _slice(contacts.fields, None, _BASIC_END)
    fields["name"] = dict(contacts.fields["name"])
    fields.update(_slice(contacts.fields, _PERSON_START, _PERSON_END))
    for name in (*_EMAIL_FIELDS, "lead_source", "birthdate"):
        fields[name] = dict(contacts.fields[name])
    fields.update({
        "converted": _col("bool", default="0"),
        "refered_by": _col("varchar", len="100"),
        "lead_source_description": _col("text"),
        "status": _col("enum", len="100"),
        "status_description": _col("text"),
        "reports_to_id": _col("id"),
        "account_name": _col("varchar", len="255"),
        "account_description": _col("text"),
        "contact_id": _col("id"),
        "account_id": _col("id"),
        "opportunity_id": _col("id"),
        "opportunity_name": _col("varchar", len="255"),
        "opportunity_amount": _col("varchar", len="50"),
        "campaign_id": _col("id"),
        "campaign_name": _relate(),
        "website": _col("url", "varchar", len="255"),
        "contacts": _link("contact_leads"),
        "accounts": _link("account_leads"),
        "opportunity": _link("opportunity_leads"),
        "calls": _link("lead_calls"),
        "meetings": _link("lead_meetings"),
        "tasks": _link("lead_tasks"),
        "notes": _link("lead_notes"),
        "emails": _link("emails_leads_rel"),
        "campaigns": _link("lead_campaign_log"),
        "prospect_lists": _link("prospect_list_leads"),
    })
    fields.update(_maps(contacts))
    return ModuleDef(
        name="Leads", object_name="Lead", fields=fields, person=True,
        relationships={"Accounts": "accounts", "Calls": "calls", "CampaignLog": "campaigns",
                       "Contacts": "contacts", "EmailAddress": "email_addresses",
                       "Emails": "emails", "Meetings": "meetings", "Notes": "notes",
                       "Opportunities": "opportunity", "ProspectLists": "prospect_lists",
                       "SecurityGroups": "SecurityGroups", "Tasks": "tasks",
                       "Users": "created_by_link"},
    )


def _cases(contacts: ModuleDef) -> ModuleDef:
    fields = _slice(contacts.fields, None, _BASIC_END)
    fields["name"] = _col("name", "varchar", len="255", required=True)
    fields.update({
        "case_number": _col("int", len="11", required=True),
        "type": _col("enum", len="255"),
        "status": _col("enum", len="100"),
        "priority": _col("enum", len="100"),
        "resolution": _col("text"),
        "work_log": _col("text"),
        "state": _col("enum", len="100", default="Open"),
        "account_name": _relate("varchar"),
        "account_id": _relate("id"),
        "accounts": _link("account_cases"),
        "contacts": _link("contacts_cases"),
        "tasks": _link("case_tasks"),
        "notes": _link("case_notes"),
        "emails": _link("emails_cases_rel"),
        "aop_case_updates": _link("cases_aop_case_updates"),
    })
    fields.update(_maps(contacts))
    return ModuleDef(
        name="Cases", object_name="Case", fields=fields,
        relationships={"Accounts": "accounts", "Contacts": "contacts", "Emails": "emails",
                       "Notes": "notes", "SecurityGroups": "SecurityGroups", "Tasks": "tasks",
                       "Users": "created_by_link"},
    )


def _invoices(contacts: ModuleDef, accounts: ModuleDef) -> ModuleDef:
    fields = _slice(contacts.fields, None, _BASIC_END)
    fields["name"] = _col("name", "varchar", len="255", required=True)
    address = {n.replace("billing_address", "billing_address"): dict(m)
               for n, m in accounts.fields.items() if n.startswith("billing_address")}
    fields.update(address)
    fields.update({
        "billing_account_id": _relate("id"),
        "billing_account": _relate("varchar"),
        "billing_contact_id": _relate("id"),
        "billing_contact": _relate("varchar"),
        "number": _col("int", len="11", required=True),
        "quote_number": _col("int", len="11"),
        "quote_date": _col("date"),
        "invoice_date": _col("date"),
        "due_date": _col("date"),
        "status": _col("enum", len="100"),
        "currency_id": _col("id"),
        "total_amt": _col("currency", "decimal", len="26,6"),
        "subtotal_amount": _col("currency", "decimal", len="26,6"),
        "discount_amount": _col("currency", "decimal", len="26,6"),
        "tax_amount": _col("currency", "decimal", len="26,6"),
        "total_amount": _col("currency", "decimal", len="26,6"),
        "accounts": _link("account_aos_invoices"),
        "contacts": _link("contact_aos_invoices"),
        "aos_quotes_aos_invoices": _link("aos_quotes_aos_invoices"),
    })
    return ModuleDef(
        name="AOS_Invoices", object_name="AOS_Invoices", fields=fields,
        relationships={"Accounts": "accounts", "Contacts": "contacts",
                       "SecurityGroups": "SecurityGroups", "Users": "created_by_link"},
    )


def _prospect_lists(accounts: ModuleDef) -> ModuleDef:
    """Target lists (modules/ProspectLists/vardefs.php): a name of at most 50 characters."""
    fields = _slice(accounts.fields, None, _BASIC_END)
    fields.update({
        "name": _col("varchar", len="50"),
        "list_type": _col("enum", len="100"),
        "domain_name": _col("varchar", len="255"),
        "entry_count": _col("int", source="non-db"),
        "prospects": _link("prospect_list_prospects"),
        "contacts": _link("prospect_list_contacts"),
        "leads": _link("prospect_list_leads"),
        "accounts": _link("prospect_list_accounts"),
        "campaigns": _link("prospect_list_campaigns"),
        "users": _link("prospect_list_users"),
    })
    return ModuleDef(
        name="ProspectLists", object_name="ProspectList", fields=fields,
        relationships={"Accounts": "accounts", "Campaigns": "campaigns", "Contacts": "contacts",
                       "Leads": "leads", "SecurityGroups": "SecurityGroups",
                       "Users": "created_by_link"},
    )


def build_extra_modules(contacts: ModuleDef, accounts: ModuleDef) -> list[ModuleDef]:
    """Leads, Cases, AOS_Invoices and ProspectLists."""
    return [_leads(contacts), _cases(contacts), _invoices(contacts, accounts),
            _prospect_lists(accounts)]


def generic_module(name: str, accounts: ModuleDef) -> ModuleDef:
    """A module the sandbox lists but fills with nothing: the basic template only."""
    fields = _slice(accounts.fields, None, _BASIC_END)
    return ModuleDef(
        name=name, object_name=_OBJECT_NAMES.get(name, name.rstrip("s")), fields=fields,
        relationships={"SecurityGroups": "SecurityGroups", "Users": "created_by_link"},
    )
