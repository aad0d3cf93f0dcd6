"""Pages of interactions (e-mails, campaign activity, web visits) into the store."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, bindparam, select, update

from sync.identity import DEFAULT_RULES, IdentityRules, interaction_key
from sync.store.chunks import chunked
from sync.store.key_digest import digest
from sync.store.records import PageCounts, canonical_json
from sync.store.schema import INTERACTIONS

__all__ = ["MatchedInteraction", "matched_interactions", "matched_web_orders",
           "store_interactions"]

MatchedInteraction = tuple[str, str, datetime, str, str]
"""(person module, person id, occurred at, channel, kind) of an interaction linked to a person."""


def store_interactions(connection: Connection, stream: str, channel: str,
                       rows: Sequence[Mapping[str, Any]], *, now: datetime, key: bytes,
                       matomo_user_id_is_email: bool = False,
                       rules: IdentityRules = DEFAULT_RULES) -> PageCounts:
    """Upsert interaction records (each with ``id``, ``occurred_at``, ``kind`` and a key).

    An ``amount`` (with its ``currency``) is kept where a record has one (web goals and
    orders), and a ``detail`` mapping as JSON: only what a stream chose to keep. The key is
    kept as its keyed digest (``key_digest.digest``), never in clear; an interaction whose
    key ``rules`` block (a role or blocklisted address) is ``blocked``: it links nobody.
    """
    prepared: dict[str, dict[str, Any]] = {}
    for row in rows:
        found = interaction_key(row, matomo_user_id_is_email=matomo_user_id_is_email,
                                rules=rules)
        key_value = (digest(found.kind, found.value, key)
                     if found.kind is not None and found.value is not None else None)
        prepared[str(row["id"])] = {
            "stream": stream, "id": str(row["id"]), "occurred_at": row["occurred_at"],
            "channel": channel, "kind": str(row.get("kind") or "unknown"),
            "key_kind": found.kind, "key_value": key_value,
            # keyed: a plain hash of a row that holds an address could be tested against a
            # list of addresses
            "content_hash": digest("row", canonical_json(row), key),
            "match": "blocked" if found.blocked else "pending",
            "amount": _amount(row.get("amount")), "currency": _currency(row.get("currency")),
            "detail": canonical_json(row["detail"]) if isinstance(row.get("detail"), Mapping)
            else None}
    known: dict[str, str] = {}
    ids = list(prepared)
    for chunk in chunked(ids):
        query = select(INTERACTIONS.c.id, INTERACTIONS.c.content_hash).where(
            INTERACTIONS.c.stream == stream, INTERACTIONS.c.id.in_(chunk))
        known.update((row.id, row.content_hash) for row in connection.execute(query))
    new = [values for key, values in prepared.items() if key not in known]
    changed = [{**values, "b_id": key} for key, values in prepared.items()
               if key in known and known[key] != values["content_hash"]]
    if new:
        connection.execute(INTERACTIONS.insert(), new)
    if changed:
        connection.execute(update(INTERACTIONS).where(and_(
            INTERACTIONS.c.stream == stream, INTERACTIONS.c.id == bindparam("b_id"))).values(
            {name: bindparam(name) for name in (
                "occurred_at", "channel", "kind", "key_kind", "key_value", "content_hash",
                "match", "amount", "currency", "detail")}),
            [{k: v for k, v in c.items() if k not in ("stream", "id")} for c in changed])
    return PageCounts(new=len(new), changed=len(changed),
                      unchanged=len(prepared) - len(new) - len(changed))


def matched_interactions(connection: Connection) -> list[MatchedInteraction]:
    """Every interaction linked to one person."""
    return [(row.person_module, row.person_id, row.occurred_at, row.channel, row.kind)
            for row in connection.execute(select(
                INTERACTIONS.c.person_module, INTERACTIONS.c.person_id,
                INTERACTIONS.c.occurred_at, INTERACTIONS.c.channel, INTERACTIONS.c.kind).where(
                INTERACTIONS.c.match == "matched"))]


def matched_web_orders(connection: Connection) -> list[tuple[Any, ...]]:
    """(person module, person id, occurred at, amount, currency, id) of every web shop order
    linked to a person, oldest first."""
    return [tuple(row) for row in connection.execute(select(
        INTERACTIONS.c.person_module, INTERACTIONS.c.person_id, INTERACTIONS.c.occurred_at,
        INTERACTIONS.c.amount, INTERACTIONS.c.currency, INTERACTIONS.c.id).where(
        INTERACTIONS.c.match == "matched", INTERACTIONS.c.channel == "web",
        INTERACTIONS.c.kind == "order").order_by(INTERACTIONS.c.occurred_at))]


def _amount(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _currency(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    return value.strip().upper()[:3] or None
