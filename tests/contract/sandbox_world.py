"""The state of the recorded SuiteCRM instance, rebuilt in a sandbox for the replay test.

Every Contact, Account and Opportunity a recorded response shows is stored with its recorded
id and attribute values (datetimes back in DB form); ``account_id`` values become links. A few
DB values the INDEX states with full seconds replace the minute-cut ones.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from sandbox.schema import field_is_stored
from sandbox.state import SandboxState
from sandbox.values import coerce_input

__all__ = ["RECORDED_CREATES", "load_recordings", "seed_world"]

_ISO = re.compile(r"^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}):\d{2}\+00:00$")
_TYPES = {"Contact": "Contacts", "Account": "Accounts", "Opportunity": "Opportunities"}
#: DB values with seconds, from INDEX.md (responses cut them to the minute; the filter_01
#: cut-off 2026-11-13 06:46:56 is the newest row that filter_04 still counts as older).
_PRECISE = {
    ("Contacts", "75e5a3b6-7a54-0282-6913-6b03f7a0dd6d"): {"date_modified": "2026-11-13 06:46:56"},
    ("Contacts", "7ceee276-10f3-4851-074d-6b03f7015fac"): {"date_modified": "2026-11-21 02:53:37"},
    ("Contacts", "180262dc-1ba1-97ac-c48e-6b03f7e3c9cd"): {
        "date_modified": "2026-11-09 14:19:51", "enriched_at_c": "2026-11-20 12:17:57"},
}
#: Records that recordings create (name -> id); they exist in the world except in their own.
RECORDED_CREATES = {
    "create_01_contact": "54b32ee3-ce1d-de2e-41dd-6b03f7fb03c0",
    "create_02_contact_application_json": "64d1eb9a-9d59-b44a-c934-6b03f7cb6d17",
    "create_03_contact_client_id": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
    "create_05_iso8601_datetime_dropped": "8664821c-dad5-2ecf-4971-6b03f7ca14a8",
    "create_06_invalid_enum_and_numbers": "93c7ac5e-3d57-f117-8802-6b03f7081d3b",
    "create_12_account_with_cc_token": "aef75adb-e3ea-ae41-0895-6b03f7afc6c3",
    "time_13_create_as_user_in_new_york": "d509d3f7-64e7-ae7f-7a66-6b03f7dbc374",
}


def load_recordings(folder: Path) -> dict[str, dict[str, Any]]:
    """Every recording by name."""
    return {p.stem: json.loads(p.read_text(encoding="utf-8"))
            for p in sorted(folder.glob("*.json"))}


def _resources(body: Any) -> list[dict[str, Any]]:
    if not isinstance(body, dict):
        return []
    data = body.get("data")
    items = data if isinstance(data, list) else [data]
    return [i for i in items if isinstance(i, dict) and i.get("type") in _TYPES
            and isinstance(i.get("attributes"), dict) and "id" in i]


def _db_value(value: Any) -> Any:
    if value is False:
        return None  # a NULL bool column is shown as JSON false
    if isinstance(value, str):
        match = _ISO.match(value)
        if match:
            return f"{match.group(1)} {match.group(2)}:00"
    return value


def harvest(recordings: dict[str, dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    """(module, id) -> attributes, merged over every recorded response."""
    world: dict[tuple[str, str], dict[str, Any]] = {}
    for recording in recordings.values():
        for item in _resources(recording["response"]["body"]):
            key = (_TYPES[item["type"]], item["id"])
            world.setdefault(key, {}).update(
                {k: _db_value(v) for k, v in item["attributes"].items()})
    for key, values in _PRECISE.items():
        world.setdefault(key, {}).update(values)
    return world


def seed_world(state: SandboxState, recordings: dict[str, dict[str, Any]], *,
               skip: set[str]) -> None:
    """Store the harvested records (except the ids in ``skip``) and their account links."""
    store = state.store
    links: list[tuple[str, str, str]] = []
    for (module_name, record_id), attributes in harvest(recordings).items():
        if record_id in skip:
            continue
        module = state.schema.modules[module_name]
        values: dict[str, Any] = {"id": record_id, "deleted": 0}
        for name, value in attributes.items():
            meta = module.fields.get(name)
            if meta is not None and field_is_stored(name, meta) and name != "deleted":
                values[name] = coerce_input(value, meta)
        store.insert(module, values)
        account_id = attributes.get("account_id")
        if account_id and module_name in {"Contacts", "Opportunities"}:
            links.append((module_name, record_id, str(account_id)))
    for module_name, record_id, account_id in links:
        relationship = ("accounts_contacts" if module_name == "Contacts"
                        else "accounts_opportunities")
        store.link(relationship, "Accounts", account_id, module_name, record_id,
                   "2026-11-01 00:00:00")
