"""What is pulled from SuiteCRM: the modules, and per module the fields something needs.

Data minimisation: a module's stored fields are exactly those a part of SuitePulse uses,
each with the reason it is kept: the purchase mapping (amount, date, status, currency,
customer link), the contacts' account link (when customers are accounts), the fields the
rule segments name (``age`` means ``birthdate``), the identity keys (e-mail fields, stored
as keyed digests), the mapped write-back fields, ``id`` and ``date_modified``; plus what
``sync.fields`` adds. Lifecycle stages, RFM and the value model read no record field beyond
the purchases'. Pure: it reads the config, never the CRM.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from enrichment.rule_language import AllRule, AnyRule, NotRule, Rule
from sync.identity import EMAIL_FIELDS

if TYPE_CHECKING:
    from sync.config import ClientConfig

__all__ = ["FieldNeed", "needed_fields", "person_modules", "record_modules", "rule_fields"]

CURSOR_FIELD = "date_modified"
_AGE_FROM = "birthdate"


@dataclass(frozen=True)
class FieldNeed:
    """Why a field is stored; ``if_present``: only where the CRM has it (no warning)."""

    reason: str
    if_present: bool = False

    def __str__(self) -> str:
        return f"{self.reason}; where the module has it" if self.if_present else self.reason


def record_modules(config: ClientConfig) -> list[str]:
    """The SuiteCRM modules pulled: the configured ones, the customers' and the purchases'."""
    modules = list(config.sync.modules)
    for needed in (config.enrichment.customer_entity.value, config.enrichment.purchases.module):
        if needed not in modules:
            modules.append(needed)
    return modules


def person_modules(config: ClientConfig) -> list[str]:
    """Modules whose records interactions are linked to, in order of preference."""
    modules = ["Contacts"]
    if config.enrichment.customer_entity.value not in modules:
        modules.append(config.enrichment.customer_entity.value)
    return modules


def rule_fields(rule: Rule) -> Iterator[str]:
    """Every field a rule names, in order (a field twice is named twice)."""
    if isinstance(rule, AllRule):
        for part in rule.all:
            yield from rule_fields(part)
    elif isinstance(rule, AnyRule):
        for part in rule.any:
            yield from rule_fields(part)
    elif isinstance(rule, NotRule):
        yield from rule_fields(rule.not_)
    else:
        yield rule.field


def needed_fields(config: ClientConfig) -> dict[str, dict[str, FieldNeed]]:
    """Per pulled module, field name -> why it is stored; the first reason of a field wins."""
    from enrichment.traits import TRAITS

    modules = record_modules(config)
    needed: dict[str, dict[str, FieldNeed]] = {module: {} for module in modules}

    def need(module: str, field: str | None, reason: str, *, if_present: bool = False) -> None:
        if field and module in needed:
            needed[module].setdefault(field, FieldNeed(reason, if_present))

    for module in modules:
        need(module, "id", "record id")
        need(module, CURSOR_FIELD, "sync cursor")
    purchases = config.enrichment.purchases
    for key, what in (("customer_field", "customer link"), ("amount_field", "amount"),
                      ("date_field", "date"), ("status_field", "status"),
                      ("currency_field", "currency")):
        need(purchases.module, getattr(purchases, key),
             f"purchases: {what} (enrichment.purchases.{key})")
    entity = config.enrichment.customer_entity.value
    if entity != "Contacts":
        need("Contacts", "account_id",
             f"a contact's interactions count for its account (customer_entity: {entity})")
    for segment in config.enrichment.segments:
        for name in rule_fields(segment.rule):
            if name in TRAITS:
                continue
            field = _AGE_FROM if name == "age" else name
            why = " (age)" if name == "age" else ""
            need(entity, field, f"rule segment {segment.name!r}{why} (enrichment.segments)")
    for module in person_modules(config):
        for field in EMAIL_FIELDS:
            need(module, field, "identity key: e-mail (stored as a keyed digest)",
                 if_present=True)
    for trait, mapping in config.writeback.fields.items():
        need(mapping.module, mapping.field_name,
             f"write-back of {trait} (writeback.fields.{trait})")
    for module, fields in config.sync.fields.items():
        for field in fields:
            need(module, field, f"listed in sync.fields.{module}")
    return needed
