"""Settings of the mail connectors."""

from __future__ import annotations

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
    """A Mailchimp audience whose campaign activity counts as engagement."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    api_key: SecretStr = Field(description="Mailchimp API key; its suffix names the data centre.")
    audience_id: str = Field(min_length=1)
    base_url: AnyHttpUrl | None = Field(
        None, description="Override the API URL (derived from the key's data centre otherwise)."
    )
    http: HttpSettings = Field(default_factory=HttpSettings)
