"""The ``identity`` section of a client config: which keys may link a person, and how far."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = ["ROLE_ADDRESSES", "IdentitySettings"]

ROLE_ADDRESSES = ("info", "sales", "support", "contact", "hello", "team", "office", "admin",
                  "billing", "noreply", "no-reply", "donotreply", "do-not-reply", "newsletter",
                  "marketing", "mailer-daemon", "postmaster", "webmaster", "hr", "jobs")
"""Local parts of shared mailboxes: many people write from or to them, so none is a person."""


class IdentitySettings(BaseModel):
    """Rules for the keys that link e-mails, campaign activity and visits to a CRM record."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    blocklist: list[str] = Field(
        default_factory=list, description="regular expressions; an e-mail address matching "
        "one (case-insensitive, whole address) never links anyone")
    role_addresses: list[str] = Field(
        default_factory=lambda: list(ROLE_ADDRESSES), description="local parts (before the @) "
        "of shared mailboxes that never link anyone; [] links them like any address")
    max_people_per_key: int = Field(
        3, ge=1, description="a key shared by more CRM records than this is quarantined "
        "(reported, linked to none); two or more always link none")
    gmail_normalise: bool = Field(
        False, description="for gmail.com and googlemail.com only: drop dots and +tags from "
        "the local part (j.doe+news@gmail.com is jdoe@gmail.com)")

    @field_validator("blocklist")
    @classmethod
    def _compiles(cls, patterns: list[str]) -> list[str]:
        for index, pattern in enumerate(patterns):
            try:
                re.compile(pattern)
            except re.error as error:
                raise ValueError(f"blocklist[{index}] {pattern!r} is not a regular expression: "
                                 f"{error}") from None
        return patterns

    @field_validator("role_addresses")
    @classmethod
    def _lower(cls, names: list[str]) -> list[str]:
        return [name.strip().lower() for name in names if name.strip()]
