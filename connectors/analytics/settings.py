"""Settings of the web analytics connectors."""

from __future__ import annotations

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, SecretStr

from connectors.settings import HttpSettings

__all__ = ["MatomoSettings"]


class MatomoSettings(BaseModel):
    """A Matomo site whose visits count as web activity."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    base_url: AnyHttpUrl = Field(description="The Matomo URL, e.g. https://stats.example.com")
    site_id: int = Field(ge=1)
    token_auth: SecretStr
    user_id_is_email: bool = Field(
        False, description="The site sets Matomo's user id to the visitor's e-mail address."
    )
    http: HttpSettings = Field(default_factory=HttpSettings)
