"""Erasing a person (``suitepulse forget``) and the retention windows applied on each run.

The person is named by an e-mail address (hashed with the client's key and looked up among
the identities, so every record with that address is erased) or by ``MODULE:ID``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sync.config import ClientConfig
from sync.errors import ConfigError
from sync.identity import IdentityRules
from sync.privacy_key import client_key
from sync.store import Store
from sync.store.erasure import (
    Erasure,
    deleted_records_due,
    erase_interactions_with_keys,
    erase_person,
    expire_interactions,
    records_with_identity,
)
from sync.store.key_digest import digest
from sync.store.types import utc_now
from sync.streams.mailchimp import AUDIENCE_CHANNEL

__all__ = ["ForgetResult", "ForgetTarget", "RetentionResult", "apply_retention",
           "forget_person", "forget_target", "parse_record"]


@dataclass
class ForgetResult:
    """The records erased (or that would be, in a dry run): ids and counts only."""

    dry_run: bool
    erased: list[Erasure] = field(default_factory=list)
    unlinked_interactions: int = 0

    def as_dict(self) -> dict[str, object]:
        """JSON-ready: no e-mail address, no name."""
        return {"dry_run": self.dry_run, "records": [e.as_dict() for e in self.erased],
                "unlinked_interactions": self.unlinked_interactions}


@dataclass
class RetentionResult:
    """What the retention windows removed in one run."""

    interactions_days: int
    interactions_removed: int = 0
    deleted_records_erased: int = 0

    def as_dict(self) -> dict[str, int]:
        """The window and the counts."""
        return {"interactions_days": self.interactions_days,
                "interactions_removed": self.interactions_removed,
                "deleted_records_erased": self.deleted_records_erased}


def parse_record(text: str) -> tuple[str, str]:
    """``MODULE:ID`` as (module, id); a ConfigError naming ``--record`` otherwise."""
    module, _, record_id = text.partition(":")
    if not module.strip() or not record_id.strip():
        raise ConfigError.single("--record", "expected MODULE:ID, e.g. Contacts:4f1c...",
                                 hint="the module as in SuiteCRM, a colon, the record id")
    return module.strip(), record_id.strip()


@dataclass(frozen=True)
class ForgetTarget:
    """Who ``forget`` erases: the records, and the identity key digests named."""

    records: list[tuple[str, str]]
    keys: list[str]


def forget_target(config: ClientConfig, store: Store, *, email: str | None = None,
                  record: tuple[str, str] | None = None) -> ForgetTarget:
    """The records ``email`` (hashed with the client's key) or ``record`` names."""
    if (email is None) == (record is None):
        raise ConfigError.single("forget", "give --email or --record, not both nor neither")
    if record is not None:
        return ForgetTarget([record], [])
    normalised = IdentityRules.of(config.identity).email(email)
    if normalised is None:
        raise ConfigError.single("--email", "not an e-mail address")
    key_digest = digest("email", normalised, client_key(config))
    with store.transaction() as connection:
        return ForgetTarget(records_with_identity(connection, "email", key_digest),
                            [key_digest])


def forget_person(config: ClientConfig, store: Store, *, email: str | None = None,
                  record: tuple[str, str] | None = None, dry_run: bool = False,
                  target: ForgetTarget | None = None,
                  crm_fields_cleared: Mapping[tuple[str, str], int] | None = None
                  ) -> ForgetResult:
    """Erase the person named by ``email`` or ``record`` (or found as ``target``) from the
    client's store; ``crm_fields_cleared`` (per record) goes into the erasure entries."""
    found = target or forget_target(config, store, email=email, record=record)
    result = ForgetResult(dry_run=dry_run)
    now = utc_now()
    with store.transaction() as connection:
        for module, record_id in found.records:
            result.erased.append(erase_person(
                connection, module, record_id, now=now, dry_run=dry_run,
                crm_fields_cleared=(crm_fields_cleared or {}).get((module, record_id), 0)))
        if found.keys:
            result.unlinked_interactions = erase_interactions_with_keys(
                connection, found.keys, dry_run=dry_run)
    return result


def apply_retention(config: ClientConfig, store: Store, *, now: datetime | None = None
                    ) -> RetentionResult:
    """Remove interactions older than ``privacy.interactions_days`` and erase the records
    deleted in the CRM more than ``privacy.keep_deleted_days`` ago.

    Audience membership rows (Mailchimp consent state, not events) are kept while the member is.
    """
    at = now or utc_now()
    settings = config.privacy
    result = RetentionResult(interactions_days=settings.interactions_days)
    with store.transaction() as connection:
        result.interactions_removed = expire_interactions(
            connection, at - timedelta(days=settings.interactions_days),
            keep_channels=(AUDIENCE_CHANNEL,))
        for module, record_id in deleted_records_due(
                connection, at - timedelta(days=settings.keep_deleted_days)):
            erase_person(connection, module, record_id, now=at, trigger="deleted_in_crm")
            result.deleted_records_erased += 1
    return result
