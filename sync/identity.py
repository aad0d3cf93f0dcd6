"""Identity resolution: which person an interaction is with, by e-mail or Matomo user id.

Keys are normalised (e-mail: trimmed, ``mailto:`` and angle brackets dropped, lower-cased);
nothing else is inferred. A key that fits one person links the interaction; a key that fits
several is ambiguous and one that fits none is unmatched: both are counted, never guessed.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, bindparam, delete, func, select, update

from sync.store.schema import IDENTITIES, INTERACTIONS, RECORDS

__all__ = [
    "EMAIL_FIELDS",
    "IdentityReport",
    "forget_deleted",
    "index_identities",
    "interaction_key",
    "normalise_email",
    "resolve_interactions",
]

EMAIL_FIELDS = ("email1", "email2", "email")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_CHUNK = 500


def normalise_email(value: object) -> str | None:
    """The comparable form of an e-mail address, or None when it is not one."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text.lower().startswith("mailto:"):
        text = text[7:]
    text = text.strip().strip("<>").strip().lower()
    return text if _EMAIL.match(text) else None


def interaction_key(row: Mapping[str, Any], *, matomo_user_id_is_email: bool) -> tuple[
        str | None, str | None]:
    """(key kind, normalised key) of an interaction record; (None, None) without a key."""
    for field in ("email", "mailchimp_email"):
        if row.get(field) is not None:
            return "email", normalise_email(row[field])
    user_id = row.get("matomo_user_id")
    if user_id is not None:
        if matomo_user_id_is_email:
            return "email", normalise_email(user_id)
        return "matomo_user_id", str(user_id).strip() or None
    return None, None


def index_identities(connection: Connection, module: str,
                     rows: Sequence[Mapping[str, Any]], *, primary_key: str = "id") -> None:
    """Replace the e-mail identities of these records of ``module`` with their current ones."""
    ids = [str(row[primary_key]) for row in rows]
    for start in range(0, len(ids), _CHUNK):
        connection.execute(delete(IDENTITIES).where(
            IDENTITIES.c.module == module, IDENTITIES.c.record_id.in_(ids[start:start + _CHUNK])))
    found = {("email", email, module, str(row[primary_key]))
             for row in rows if not row.get("deleted")
             for field in EMAIL_FIELDS if (email := normalise_email(row.get(field)))}
    if found:
        connection.execute(IDENTITIES.insert(), [
            {"kind": k, "value": v, "module": m, "record_id": r} for k, v, m, r in found])


def forget_deleted(connection: Connection, module: str) -> None:
    """Drop the identities of the records of ``module`` flagged as deleted."""
    connection.execute(delete(IDENTITIES).where(
        IDENTITIES.c.module == module, IDENTITIES.c.record_id.in_(select(RECORDS.c.id).where(
            RECORDS.c.module == module, RECORDS.c.deleted.is_(True)))))


@dataclass
class IdentityReport:
    """How the interactions resolved: counts only, no keys (they are personal data)."""

    matched: int = 0
    ambiguous: int = 0
    unmatched: int = 0
    without_key: int = 0
    ambiguous_keys: int = 0
    unmatched_keys: int = 0

    def as_dict(self) -> dict[str, int]:
        """Plain data for JSON output."""
        return dict(vars(self))


def resolve_interactions(connection: Connection, person_modules: Sequence[str]) -> IdentityReport:
    """Link every interaction not yet linked; ``person_modules`` are tried in order."""
    pending = connection.execute(select(INTERACTIONS.c.key_kind, INTERACTIONS.c.key_value).where(
        INTERACTIONS.c.match != "matched", INTERACTIONS.c.key_value.is_not(None)).distinct()).all()
    by_key: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    keys = [(row.key_kind, row.key_value) for row in pending]
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start:start + _CHUNK]
        values = [value for _, value in chunk]
        for row in connection.execute(select(IDENTITIES).where(
                IDENTITIES.c.value.in_(values), IDENTITIES.c.module.in_(person_modules))):
            by_key[(row.kind, row.value)][row.module].add(row.record_id)
    updates: list[dict[str, Any]] = []
    for key in keys:
        candidates = by_key.get(key, {})
        module = next((m for m in person_modules if candidates.get(m)), None)
        people = sorted(candidates[module]) if module else []
        match = "matched" if len(people) == 1 else "ambiguous" if people else "unmatched"
        updates.append({"b_kind": key[0], "b_value": key[1], "match": match,
                        "person_module": module if match == "matched" else None,
                        "person_id": people[0] if match == "matched" else None})
    if updates:
        connection.execute(update(INTERACTIONS).where(and_(
            INTERACTIONS.c.key_kind == bindparam("b_kind"),
            INTERACTIONS.c.key_value == bindparam("b_value"))).values(
            match=bindparam("match"), person_module=bindparam("person_module"),
            person_id=bindparam("person_id")), updates)
    connection.execute(update(INTERACTIONS).where(INTERACTIONS.c.key_value.is_(None)).values(
        match="no_key"))
    report = IdentityReport()
    for row in connection.execute(select(INTERACTIONS.c.match, func.count()).group_by(
            INTERACTIONS.c.match)):
        if row[0] == "no_key":
            report.without_key = int(row[1])
        elif row[0] in ("matched", "ambiguous", "unmatched"):
            setattr(report, row[0], int(row[1]))
    report.ambiguous_keys = sum(1 for u in updates if u["match"] == "ambiguous")
    report.unmatched_keys = sum(1 for u in updates if u["match"] == "unmatched")
    return report
