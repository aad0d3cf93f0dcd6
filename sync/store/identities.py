"""Identities in the store: person records' e-mail keys, and interactions linked to people.

A key that fits one person links the interaction; a key that fits several is ambiguous and
one that fits none is unmatched: both are counted, never guessed (rules in ``sync.identity``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, and_, bindparam, delete, func, select, update

from sync.identity import DEFAULT_RULES, IdentityReport, IdentityRules, record_emails
from sync.store.chunks import chunked
from sync.store.key_digest import digest
from sync.store.schema import IDENTITIES, INTERACTIONS, RECORDS

__all__ = ["forget_deleted", "index_identities", "resolve_interactions"]


def index_identities(connection: Connection, module: str,
                     rows: Sequence[Mapping[str, Any]], *, key: bytes,
                     primary_key: str = "id", rules: IdentityRules = DEFAULT_RULES) -> None:
    """Replace the e-mail identities of these records of ``module`` with their current ones.

    Each e-mail is kept as its keyed digest (``key_digest.digest``), never in clear.
    """
    ids = [str(row[primary_key]) for row in rows]
    for chunk in chunked(ids):
        connection.execute(delete(IDENTITIES).where(
            IDENTITIES.c.module == module, IDENTITIES.c.record_id.in_(chunk)))
    found = {("email", digest("email", email, key), module, str(row[primary_key]))
             for row in rows for email in record_emails(row, rules)}
    if found:
        connection.execute(IDENTITIES.insert(), [
            {"kind": k, "value": v, "module": m, "record_id": r} for k, v, m, r in found])


def forget_deleted(connection: Connection, module: str) -> None:
    """Drop the identities of the records of ``module`` flagged as deleted."""
    connection.execute(delete(IDENTITIES).where(
        IDENTITIES.c.module == module, IDENTITIES.c.record_id.in_(select(RECORDS.c.id).where(
            RECORDS.c.module == module, RECORDS.c.deleted.is_(True)))))


def resolve_interactions(connection: Connection, person_modules: Sequence[str], *,
                         max_people_per_key: int = 3) -> IdentityReport:
    """Link every interaction not yet linked; ``person_modules`` are tried in order.

    A key that fits one record links it; two to ``max_people_per_key`` is ambiguous, more is
    quarantined: both link none. Blocked interactions are left as they are.
    """
    pending = connection.execute(select(INTERACTIONS.c.key_kind, INTERACTIONS.c.key_value).where(
        INTERACTIONS.c.match.not_in(("matched", "blocked")),
        INTERACTIONS.c.key_value.is_not(None)).distinct()).all()
    by_key: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    keys = [(row.key_kind, row.key_value) for row in pending]
    for chunk in chunked(keys):
        values = [value for _, value in chunk]
        for row in connection.execute(select(IDENTITIES).where(
                IDENTITIES.c.value.in_(values), IDENTITIES.c.module.in_(person_modules))):
            by_key[(row.kind, row.value)][row.module].add(row.record_id)
    updates: list[dict[str, Any]] = []
    for key in keys:
        candidates = by_key.get(key, {})
        module = next((m for m in person_modules if candidates.get(m)), None)
        people = sorted(candidates[module]) if module else []
        match = _match(len(people), max_people_per_key)
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
        elif row[0] in _STATES:
            setattr(report, row[0], int(row[1]))
    report.ambiguous_keys = sum(1 for u in updates if u["match"] == "ambiguous")
    report.quarantined_keys = sum(1 for u in updates if u["match"] == "quarantined")
    report.unmatched_keys = sum(1 for u in updates if u["match"] == "unmatched")
    return report


_STATES = ("matched", "ambiguous", "quarantined", "blocked", "unmatched")


def _match(people: int, max_people_per_key: int) -> str:
    if people == 1:
        return "matched"
    if people == 0:
        return "unmatched"
    return "ambiguous" if people <= max_people_per_key else "quarantined"
