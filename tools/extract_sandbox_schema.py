"""Derive the sandbox's module definitions from the recorded SuiteCRM 7.14.6 exchanges.

Run once when the recordings change; it writes sandbox/reference_data/*.json:

    python tools/extract_sandbox_schema.py ../shared/suitecrm-v8/recordings
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parents[1] / "sandbox" / "reference_data"


def _body(recordings: Path, name: str) -> Any:
    return json.loads((recordings / f"{name}.json").read_text(encoding="utf-8"))["response"]["body"]


def _guess_field(name: str, value: Any) -> dict[str, Any]:
    """Field metadata for a module whose meta/fields was not recorded (Opportunities)."""
    known: dict[str, dict[str, Any]] = {
        "name": {"type": "name", "dbType": "varchar", "len": "50", "required": True},
        "date_entered": {"type": "datetime", "dbType": "datetime"},
        "date_modified": {"type": "datetime", "dbType": "datetime"},
        "modified_user_id": {"type": "assigned_user_name", "dbType": "id"},
        "created_by": {"type": "assigned_user_name", "dbType": "id"},
        "description": {"type": "text", "dbType": "text"},
        "deleted": {"type": "bool", "dbType": "bool", "default": "0"},
        "assigned_user_id": {"type": "relate", "dbType": "id"},
        "amount": {"type": "currency", "dbType": "double", "required": True},
        "amount_usdollar": {"type": "currency", "dbType": "double"},
        "currency_id": {"type": "id", "dbType": "id"},
        "date_closed": {"type": "date", "dbType": "date", "required": True},
        "probability": {"type": "int", "dbType": "int"},
        "next_step": {"type": "varchar", "dbType": "varchar", "len": "100"},
        "opportunity_type": {"type": "enum", "dbType": "enum", "len": "255"},
        "lead_source": {"type": "enum", "dbType": "enum", "len": "50"},
        "sales_stage": {"type": "enum", "dbType": "enum", "len": "255", "required": True},
        "campaign_id": {"type": "id", "dbType": "id"},
        "account_id": {"type": "relate", "dbType": "id", "source": "non-db"},
        "account_name": {"type": "relate", "dbType": "varchar", "source": "non-db"},
    }
    if name in known:
        meta = dict(known[name])
    elif value == {} or name in {"accounts", "contacts", "tasks", "notes", "meetings", "calls",
                                 "emails", "documents", "project", "leads", "campaigns",
                                 "campaign_link", "currencies", "aos_quotes", "aos_contracts",
                                 "created_by_link", "modified_user_link", "assigned_user_link",
                                 "SecurityGroups", "campaign_opportunities"}:
        relationship = {"accounts": "accounts_opportunities",
                        "contacts": "opportunities_contacts"}.get(name, f"opportunity_{name}")
        meta = {"type": "link", "relationship": relationship, "source": "non-db",
                "dbType": "link"}
    else:
        meta = {"type": "relate", "source": "non-db", "dbType": "relate"}
    meta.setdefault("required", False)
    return meta


def _module(recordings: Path, module: str, object_name: str, record: str,
            fields: str | None, custom: dict[str, Any]) -> dict[str, Any]:
    data = _body(recordings, record)["data"]
    attributes: dict[str, Any] = data["attributes"]
    if fields is not None:
        field_meta = dict(_body(recordings, fields)["data"]["attributes"])
    else:
        field_meta = {"id": {"type": "id", "required": True, "dbType": "id"}}
        for name, value in attributes.items():
            field_meta[name] = custom.get(name) or _guess_field(name, value)
    relationships = {
        related: block["links"]["related"].rsplit("/", 1)[1]
        for related, block in data["relationships"].items()
    }
    return {
        "module": module,
        "object_name": object_name,
        "fields": field_meta,
        "relationships": relationships,
        "object_links": [k for k, v in attributes.items() if v == {}],
    }


def main(recordings: Path) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    contacts_meta = _body(recordings, "meta_02_fields_contacts")["data"]["attributes"]
    maps = {k: v for k, v in contacts_meta.items() if k.startswith("jjwg_maps_")}
    modules = {
        "Contacts": _module(recordings, "Contacts", "Contact", "record_01_get_contact",
                            "meta_02_fields_contacts", {}),
        "Accounts": _module(recordings, "Accounts", "Account", "record_04_get_account",
                            "meta_03_fields_accounts", {}),
        "Opportunities": _module(recordings, "Opportunities", "Opportunity",
                                 "record_07_get_opportunity", None, maps),
    }
    for name, definition in modules.items():
        (OUT / f"{name}.json").write_text(json.dumps(definition, indent=1) + "\n", "utf-8")
    listing = _body(recordings, "meta_01_modules")["data"]["attributes"]
    (OUT / "modules.json").write_text(json.dumps(listing, indent=1) + "\n", "utf-8")
    users = {
        "admin": _body(recordings, "meta_05_current_user_password_token")["data"],
        "sync.user": _body(recordings, "time_14_current_user_non_admin")["data"],
    }
    (OUT / "users.json").write_text(json.dumps(users, indent=1) + "\n", "utf-8")
    prefs = _body(recordings, "time_15_user_preferences")["data"]["attributes"]
    (OUT / "user_preferences.json").write_text(json.dumps(prefs, indent=1) + "\n", "utf-8")
    swagger = _body(recordings, "meta_08_swagger")
    (OUT / "swagger.json").write_text(json.dumps(swagger, indent=1) + "\n", "utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
