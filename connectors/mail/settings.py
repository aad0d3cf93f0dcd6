"""Settings of the mail connectors."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, SecretStr, model_validator

from connectors.settings import HttpSettings

__all__ = ["ImapAccountSettings", "MailchimpSettings"]


class ImapAccountSettings(BaseModel):
    """One IMAP mailbox whose messages count as e-mail exchanges with customers."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$", description="Stream name.")
    host: str = Field(min_length=1)
    port: int = Field(993, ge=1, le=65535)
    tls: bool = Field(True, description="IMAP over TLS (port 993); false means STARTTLS or none.")
    starttls: bool = Field(False, description="Upgrade a plain connection (port 143) to TLS.")
    verify_tls: bool = True
    ca_file: Path | None = Field(
        None, description="PEM file of the certificate authorities to trust (a private CA).")
    username: str = Field(min_length=1)
    auth: Literal["password", "xoauth2"] = Field(
        "password", description="LOGIN with a password, or SASL XOAUTH2 with an access token.")
    password: SecretStr | None = None
    oauth2_token: SecretStr | None = Field(
        None, description="OAuth2 access token for XOAUTH2 (from a ${VAR}; Gmail, Microsoft 365).")
    folders: list[str] = Field(
        default_factory=list,
        description="Folders to read; empty: the SPECIAL-USE \\All folder when the server has "
        "one (Gmail's All Mail), else INBOX and the \\Sent folder.")
    own_addresses: list[str] = Field(
        default_factory=list,
        description="Our own addresses; the other party of a message is the customer. "
        "Default: the username when it is an address.",
    )
    own_domains: list[str] = Field(
        default_factory=list, description="Every address at these domains is one of ours.")
    store_subjects: bool = Field(
        False, description="Keep each message's subject too (never the body).")
    timeout: float = Field(60.0, gt=0, le=3600, description="Seconds to connect or wait.")
    page_size: int = Field(500, ge=1, le=5000, description="Messages fetched per request.")
    max_reconnects: int = Field(
        3, ge=0, le=20, description="Reconnects after a dropped connection within one read.")

    @model_validator(mode="after")
    def _credentials(self) -> ImapAccountSettings:
        if self.auth == "password" and self.password is None:
            raise ValueError("password is required when auth is password")
        if self.auth == "xoauth2" and self.oauth2_token is None:
            raise ValueError("oauth2_token is required when auth is xoauth2")
        if self.tls and self.starttls:
            raise ValueError("tls and starttls exclude each other (tls: false for STARTTLS)")
        if len(set(self.folders)) != len(self.folders):
            raise ValueError("a folder is listed twice")
        return self


class MailchimpSettings(BaseModel):
    """A Mailchimp account: its audiences' members and consent, and its campaign activity.

    Authentication is the API key (HTTP Basic; its ``-us21`` suffix names the data centre) or
    an OAuth2 access token with ``datacenter`` given.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    api_key: SecretStr | None = Field(
        None, description="Mailchimp API key; its suffix names the data centre.")
    oauth_token: SecretStr | None = Field(
        None, description="OAuth2 access token of an app (instead of the API key).")
    datacenter: str | None = Field(
        None, pattern=r"^[a-z]+[0-9]+$",
        description="Data centre (e.g. us21); needed with oauth_token, else from the key.")
    audience_id: str | None = Field(None, min_length=1, description="One audience (list) id.")
    audience_ids: list[str] = Field(default_factory=list, description="More audience ids.")
    base_url: AnyHttpUrl | None = Field(
        None, description="Override the API URL (derived from the key's data centre otherwise)."
    )
    page_size: int = Field(500, ge=10, le=1000,
                           description="Records per request (1000 times out on large accounts).")
    max_in_flight: int = Field(8, ge=1, le=8, description="Requests in flight per account "
                               "(Mailchimp allows 10 connections).")
    overlap_seconds: int = Field(300, ge=0, le=86_400,
                                 description="Members re-read below the saved cursor.")
    activity_window_days: int = Field(
        90, ge=1, le=3650, description="Campaign activity is read this long after a send.")
    settle_days: int = Field(5, ge=0, le=60, description="A campaign is re-read this long "
                             "after its send whatever its report says (bounces settle).")
    http: HttpSettings = Field(default_factory=lambda: HttpSettings(read_timeout=110.0))

    @model_validator(mode="after")
    def _complete(self) -> MailchimpSettings:
        if (self.api_key is None) == (self.oauth_token is None):
            raise ValueError("give exactly one of api_key and oauth_token")
        if not self.audiences:
            raise ValueError("give audience_id or audience_ids")
        if self.base_url is None and self.data_centre is None:
            raise ValueError("give datacenter (or base_url): it is not in an OAuth2 token"
                             if self.oauth_token is not None else
                             "the API key has no data centre suffix (like -us21); give "
                             "datacenter or base_url")
        if self.http.read_timeout >= 120:
            raise ValueError("http.read_timeout must stay under Mailchimp's 120 s limit")
        return self

    @property
    def audiences(self) -> list[str]:
        """Every configured audience id, each once."""
        return list(dict.fromkeys([*([self.audience_id] if self.audience_id else []),
                                   *self.audience_ids]))

    @property
    def data_centre(self) -> str | None:
        """``datacenter``, else the API key's suffix after the last ``-``."""
        if self.datacenter:
            return self.datacenter
        if self.api_key is None:
            return None
        _, dash, suffix = self.api_key.get_secret_value().rpartition("-")
        return suffix if dash and re.fullmatch(r"[a-z]+[0-9]+", suffix) else None

    def api_url(self) -> str:
        """The API root: ``base_url``, else ``https://<dc>.api.mailchimp.com/3.0``."""
        if self.base_url is not None:
            return str(self.base_url).rstrip("/")
        return f"https://{self.data_centre}.api.mailchimp.com/3.0"
