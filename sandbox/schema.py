"""Module definitions (vardefs) the sandbox serves, as a real SuiteCRM 7.14.6 shows them.

Contacts, Accounts and Opportunities come from the recorded exchanges (see
tools/extract_sandbox_schema.py); Leads, Cases and AOS_Invoices are composed in
``sandbox.extra_modules``; every other module of ``meta/modules`` gets the basic template.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

__all__ = [
    "CUSTOM_FIELD_TYPES",
    "ModuleDef",
    "Schema",
    "field_is_stored",
    "load_json",
]

#: Types a declared custom field may have, with their database type.
CUSTOM_FIELD_TYPES: dict[str, str] = {
    "varchar": "varchar",
    "text": "text",
    "enum": "enum",
    "multienum": "multienum",
    "int": "int",
    "decimal": "decimal",
    "float": "float",
    "currency": "currency",
    "bool": "bool",
    "date": "date",
    "datetimecombo": "datetime",
    "datetime": "datetime",
    "url": "varchar",
    "phone": "varchar",
}

#: Non-db fields the sandbox stores anyway (SuiteCRM keeps them in the e-mail tables).
_STORED_NON_DB = frozenset({"email1", "email2", "email_opt_out", "invalid_email"})


@cache
def load_json(name: str) -> Any:
    """A JSON file of ``sandbox/reference_data``."""
    text = resources.files("sandbox").joinpath("reference_data", name).read_text(encoding="utf-8")
    return json.loads(text)


def field_is_stored(name: str, meta: dict[str, Any]) -> bool:
    """Whether a field is a column of the module's table (custom fields included)."""
    if name in _STORED_NON_DB:
        return True
    return meta.get("source") != "non-db" and meta.get("type") != "link"


@dataclass
class ModuleDef:
    """One module: its vardefs in order, relationships block and link fields."""

    name: str
    object_name: str
    fields: dict[str, dict[str, Any]]
    relationships: dict[str, str]
    object_links: frozenset[str] = frozenset()
    person: bool = False
    table: str = ""
    relate_fields: dict[str, tuple[str, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.table = self.table or f"m_{self.name.lower()}"

    @property
    def stored_fields(self) -> list[str]:
        """Columns of the module's table, ``id`` first."""
        return [n for n, m in self.fields.items() if field_is_stored(n, m)]

    def is_link(self, name: str) -> bool:
        """Whether ``name`` is a link field of this module."""
        meta = self.fields.get(name)
        return meta is not None and meta.get("type") == "link"

    def link_module(self, link: str) -> str | None:
        """The module on the other side of a link field, when known."""
        for module, name in self.relationships.items():
            if name == link:
                return module
        return _KNOWN_LINK_MODULES.get(link)

    def link_for_module(self, module: str) -> str | None:
        """The link field the server picks when relating a record of ``module``."""
        if module in self.relationships:
            return self.relationships[module]
        for link, related in _KNOWN_LINK_MODULES.items():
            if related == module and self.is_link(link):
                return link
        return None


_KNOWN_LINK_MODULES = {
    "accounts": "Accounts",
    "contacts": "Contacts",
    "opportunities": "Opportunities",
    "cases": "Cases",
    "leads": "Leads",
    "aos_invoices": "AOS_Invoices",
}

#: Relate fields computed from a link: module -> field -> (link, "id" or "name").
_RELATE_FIELDS: dict[str, dict[str, tuple[str, str]]] = {
    "Contacts": {"account_id": ("accounts", "id"), "account_name": ("accounts", "name")},
    "Opportunities": {"account_id": ("accounts", "id"), "account_name": ("accounts", "name")},
    "Cases": {"account_id": ("accounts", "id"), "account_name": ("accounts", "name")},
    "AOS_Invoices": {
        "billing_account_id": ("accounts", "id"),
        "billing_account": ("accounts", "name"),
        "billing_contact_id": ("contacts", "id"),
        "billing_contact": ("contacts", "name"),
    },
}


class Schema:
    """Every module the sandbox knows, looked up by module key or object name."""

    def __init__(self) -> None:
        from sandbox.extra_modules import build_extra_modules, generic_module

        self.listing: dict[str, Any] = load_json("modules.json")
        self.modules: dict[str, ModuleDef] = {}
        for name in ("Contacts", "Accounts", "Opportunities"):
            raw = load_json(f"{name}.json")
            self.modules[name] = ModuleDef(
                name=name,
                object_name=raw["object_name"],
                fields={k: dict(v) for k, v in raw["fields"].items()},
                relationships=dict(raw["relationships"]),
                object_links=frozenset(raw["object_links"]),
                person=name == "Contacts",
            )
        for module in build_extra_modules(self.modules["Contacts"], self.modules["Accounts"]):
            self.modules[module.name] = module
        for name in self.listing:
            if name not in self.modules:
                self.modules[name] = generic_module(name, self.modules["Accounts"])
        for name, relate in _RELATE_FIELDS.items():
            self.modules[name].relate_fields = relate
        self._aliases = {m.object_name: m.name for m in self.modules.values()}

    def resolve(self, name: str) -> ModuleDef | None:
        """The module for a module key (``Contacts``) or object name (``Contact``)."""
        module = self.modules.get(name)
        if module is None and name in self._aliases:
            module = self.modules[self._aliases[name]]
        return module

    def add_custom_field(self, module: str, name: str, meta: dict[str, Any]) -> None:
        """Add a ``_c`` field to a module's vardefs (the table column is the store's job)."""
        self.modules[module].fields[name] = meta
