"""Settings of the mail connectors."""

from __future__ import annotations

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, SecretStr

from connectors.settings import HttpSettings

__all__ = ["ImapAccountSettings", "MailchimpSettings"]


class ImapAccountSettings(BaseModel):
    """One IMAP mailbox whose messages count as e-mail exchanges with customers."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$", description="Stream name.")
    host: str = Field(min_length=1)
    port: int = Field(993, ge=1, le=65535)
    tls: bool = Field(True, description="IMAP over TLS (port 993); false means STARTTLS or none.")
    starttls: bool = False
    verify_tls: bool = True
    username: str = Field(min_length=1)
    password: SecretStr
    folders: list[str] = Field(default_factory=lambda: ["INBOX"], min_length=1)
    own_addresses: list[str] = Field(
        default_factory=list,
        description="Our own addresses; the other party of a message is the customer.",
    )


class MailchimpSettings(BaseModel):
    """A Mailchimp audience whose campaign activity counts as engagement."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    api_key: SecretStr = Field(description="Mailchimp API key; its suffix names the data centre.")
    audience_id: str = Field(min_length=1)
    base_url: AnyHttpUrl | None = Field(
        None, description="Override the API URL (derived from the key's data centre otherwise)."
    )
    http: HttpSettings = Field(default_factory=HttpSettings)
