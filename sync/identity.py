"""Identity rules: the keys that tell which person a record or an interaction is (e-mail,
Matomo user id); the store's ``identities`` module applies them.

Keys are normalised (e-mail: trimmed, ``mailto:`` and angle brackets dropped, lower-cased);
nothing else is inferred. A key that fits one person links the interaction; a key that fits
several is ambiguous and one that fits none is unmatched: both are counted, never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["EMAIL_FIELDS", "IdentityReport", "interaction_key", "normalise_email", "record_emails"]

EMAIL_FIELDS = ("email1", "email2", "email")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


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


def record_emails(row: Mapping[str, Any]) -> set[str]:
    """The normalised e-mail addresses of a person record (none for a deleted one)."""
    if row.get("deleted"):
        return set()
    return {email for field in EMAIL_FIELDS if (email := normalise_email(row.get(field)))}
