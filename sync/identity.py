"""Identity rules: the keys that tell which person a record or an interaction is, and which
of them may link anyone; the store's ``identities`` module applies them.

Keys, by priority when an interaction carries several: a Matomo userId, then an e-mail
address (IMAP, Mailchimp, or a userId that is one); person records are keyed by their e-mail
fields. E-mail is normalised: trimmed,
``mailto:`` and angle brackets dropped, Unicode NFC, lower case, and with
``identity.gmail_normalise`` dots and ``+tags`` dropped for gmail.com/googlemail.com only.
A blocklisted or role address (info@, noreply@ ...) never links anyone. A key that fits one
CRM record links the interaction; one that fits several links none (ambiguous, listed by
``identity conflicts``), more than ``max_people_per_key`` quarantined; one that fits none is
unmatched. Two CRM records are never merged, and nothing is guessed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sync.identity_settings import IdentitySettings

__all__ = ["DEFAULT_RULES", "EMAIL_FIELDS", "IdentityReport", "IdentityRules", "InteractionKey",
           "interaction_key", "normalise_email", "record_emails"]

EMAIL_FIELDS = ("email1", "email2", "email")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_GMAIL = frozenset({"gmail.com", "googlemail.com"})


def normalise_email(value: object, *, gmail: bool = False) -> str | None:
    """The comparable form of an e-mail address, or None when it is not one."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text.lower().startswith("mailto:"):
        text = text[7:]
    text = unicodedata.normalize("NFC", text.strip().strip("<>").strip()).lower()
    if not _EMAIL.match(text):
        return None
    local, _, domain = text.rpartition("@")
    if gmail and domain in _GMAIL:
        local = local.split("+", 1)[0].replace(".", "")
        if not local:
            return None
        text = f"{local}@gmail.com"
    return text


@dataclass(frozen=True)
class IdentityRules:
    """A client's identity rules (``IdentitySettings``), ready to apply."""

    blocklist: tuple[re.Pattern[str], ...] = ()
    role_addresses: frozenset[str] = field(default_factory=frozenset)
    max_people_per_key: int = 3
    gmail_normalise: bool = False

    @classmethod
    def of(cls, settings: IdentitySettings) -> IdentityRules:
        """The rules of a client's ``identity`` section."""
        return cls(tuple(re.compile(p, re.IGNORECASE) for p in settings.blocklist),
                   frozenset(settings.role_addresses), settings.max_people_per_key,
                   settings.gmail_normalise)

    def email(self, value: object) -> str | None:
        """``value`` normalised as these rules say, or None when it is no address."""
        return normalise_email(value, gmail=self.gmail_normalise)

    def blocked(self, email: str) -> str | None:
        """Why a normalised address may link nobody ("role address", "blocklist"), or None."""
        if email.partition("@")[0] in self.role_addresses:
            return "role address"
        if any(pattern.fullmatch(email) for pattern in self.blocklist):
            return "blocklist"
        return None


DEFAULT_RULES = IdentityRules.of(IdentitySettings())


@dataclass(frozen=True)
class InteractionKey:
    """The key an interaction is linked by: kind, normalised value, and why it may not link
    anyone (None when it may)."""

    kind: str | None
    value: str | None
    blocked: str | None = None


def interaction_key(row: Mapping[str, Any], *, matomo_user_id_is_email: bool,
                    rules: IdentityRules = DEFAULT_RULES) -> InteractionKey:
    """The highest-priority key of an interaction record (kind None without one)."""
    user_id = row.get("matomo_user_id")
    if user_id is not None and not matomo_user_id_is_email:
        return InteractionKey("matomo_user_id", str(user_id).strip() or None)
    for name in ("email", "mailchimp_email", "matomo_user_id"):
        if row.get(name) is not None:
            email = rules.email(row[name])
            return InteractionKey("email", email, rules.blocked(email) if email else None)
    return InteractionKey(None, None)


@dataclass
class IdentityReport:
    """How the interactions resolved: counts only, no keys (they are personal data)."""

    matched: int = 0
    ambiguous: int = 0
    quarantined: int = 0
    blocked: int = 0
    unmatched: int = 0
    without_key: int = 0
    ambiguous_keys: int = 0
    quarantined_keys: int = 0
    unmatched_keys: int = 0

    def as_dict(self) -> dict[str, int]:
        """Plain data for JSON output."""
        return dict(vars(self))


def record_emails(row: Mapping[str, Any], rules: IdentityRules = DEFAULT_RULES) -> set[str]:
    """The normalised e-mail addresses of a person record that may link it (none for a
    deleted record; never a blocked or role address)."""
    if row.get("deleted"):
        return set()
    return {email for name in EMAIL_FIELDS if (email := rules.email(row.get(name)))
            and rules.blocked(email) is None}
