"""Person records as the store keeps them: e-mail fields as keyed digests, never in clear."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sync.identity import EMAIL_FIELDS, normalise_email
from sync.store.key_digest import digest

__all__ = ["without_clear_emails"]


def without_clear_emails(rows: Sequence[Mapping[str, Any]], key: bytes) -> list[dict[str, Any]]:
    """Copies of ``rows`` whose e-mail fields hold the digest of the address (or nothing)."""
    kept: list[dict[str, Any]] = []
    for row in rows:
        copy = dict(row)
        for field in EMAIL_FIELDS:
            value = copy.get(field)
            if value is None or value == "":
                continue
            email = normalise_email(value)
            copy[field] = digest("email", email, key) if email else None
        kept.append(copy)
    return kept
