"""``identity explain`` and ``identity conflicts``: what links (or does not link) interactions
to CRM records, in words. Ids, counts and rule names only: no address is ever shown."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from sync.config import ClientConfig
from sync.field_selection import person_modules
from sync.identity import IdentityRules
from sync.privacy_key import client_key
from sync.store import Store
from sync.store.identity_queries import (
    InteractionCount,
    SharedKey,
    interactions_by_key,
    interactions_of_record,
    keys_of_record,
    records_with_key,
    shared_keys,
)
from sync.store.key_digest import digest

__all__ = ["KeyExplanation", "RecordExplanation", "conflicts", "explain_email",
           "explain_record", "explanation_lines"]


@dataclass
class KeyExplanation:
    """What one e-mail address links: the rule that decided, the records, the interactions."""

    rule: str
    records: list[tuple[str, str]] = field(default_factory=list)
    interactions: list[InteractionCount] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Plain data for --json."""
        return {"rule": self.rule, "records": [list(r) for r in self.records],
                "interactions": [asdict(i) for i in self.interactions]}


@dataclass
class RecordExplanation:
    """What links interactions to one record: its keys and what each does."""

    module: str
    record_id: str
    keys: list[dict[str, Any]] = field(default_factory=list)
    linked: list[InteractionCount] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Plain data for --json."""
        return {"module": self.module, "record_id": self.record_id, "keys": self.keys,
                "linked": [asdict(i) for i in self.linked]}


def _key_rule(records: list[tuple[str, str]], rules: IdentityRules) -> str:
    if not records:
        return "no CRM record holds this key: its interactions are unmatched"
    if len(records) == 1:
        return "one CRM record holds this key: its interactions are linked to it"
    if len(records) > rules.max_people_per_key:
        return (f"{len(records)} CRM records hold this key (more than max_people_per_key "
                f"{rules.max_people_per_key}): quarantined, linked to none")
    return f"{len(records)} CRM records hold this key: ambiguous, linked to none"


def explain_email(config: ClientConfig, store: Store, address: str) -> KeyExplanation:
    """Which records an e-mail address links, and by which rule."""
    rules = IdentityRules.of(config.identity)
    email = rules.email(address)
    if email is None:
        return KeyExplanation("not an e-mail address: links nothing")
    value = digest("email", email, client_key(config))
    with store.transaction() as connection:
        interactions = interactions_by_key(connection, "email", value)
        records = records_with_key(connection, "email", value, person_modules(config))
    blocked = rules.blocked(email)
    if blocked is not None:
        setting = "role_addresses" if blocked == "role address" else "blocklist"
        return KeyExplanation(f"{blocked} (identity.{setting}): never links anyone", [],
                              interactions)
    return KeyExplanation(_key_rule(records, rules), sorted(records), interactions)


def explain_record(config: ClientConfig, store: Store, module: str,
                   record_id: str) -> RecordExplanation:
    """The keys of one record, whom else each links, and the interactions linked to it."""
    rules = IdentityRules.of(config.identity)
    people = person_modules(config)
    result = RecordExplanation(module, record_id)
    with store.transaction() as connection:
        for number, (kind, value) in enumerate(sorted(keys_of_record(connection, module,
                                                                     record_id)), 1):
            holders = records_with_key(connection, kind, value, people)
            others = sorted(r for r in holders if r != (module, record_id))
            result.keys.append({"key": number, "kind": kind, "also_held_by": others,
                                "rule": _key_rule(holders, rules),
                                "interactions": sum(c.count for c in interactions_by_key(
                                    connection, kind, value))})
        result.linked = interactions_of_record(connection, module, record_id)
    return result


def conflicts(config: ClientConfig, store: Store) -> list[SharedKey]:
    """Keys several CRM records share (so they link none), most records first."""
    with store.transaction() as connection:
        return shared_keys(connection, person_modules(config))


def _counts(counts: list[InteractionCount]) -> list[str]:
    return [f"  {c.channel} {c.kind}: {c.count} {c.match}" for c in counts] or ["  none"]


def explanation_lines(explanation: KeyExplanation | RecordExplanation) -> list[str]:
    """The explanation for a person, line by line."""
    if isinstance(explanation, KeyExplanation):
        lines = [f"rule: {explanation.rule}"]
        lines += [f"record: {m} {r}" for m, r in explanation.records]
        return [*lines, "interactions with this key:", *_counts(explanation.interactions)]
    lines = [f"{explanation.module} {explanation.record_id}"]
    if not explanation.keys:
        lines.append("no identity key (no usable e-mail address): nothing can link to it")
    for key in explanation.keys:
        also = ", ".join(f"{m} {r}" for m, r in key["also_held_by"]) or "no other record"
        lines.append(f"key {key['key']} ({key['kind']}): {key['rule']}; also held by: {also}; "
                     f"{key['interactions']} interactions carry it")
    return [*lines, "interactions linked to this record:", *_counts(explanation.linked)]
