"""Settings of the SuiteCRM V8 connector."""

from __future__ import annotations

from enum import StrEnum

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, SecretStr, model_validator

from connectors.settings import HttpSettings

__all__ = ["ApiLayout", "GrantType", "SuiteCRMSettings"]


class ApiLayout(StrEnum):
    """Where the V8 API lives: ``/Api`` on SuiteCRM 7, ``/legacy/Api`` on SuiteCRM 8."""

    V7 = "7.x"
    V8 = "8.x"
    AUTO = "auto"


class GrantType(StrEnum):
    """The OAuth2 grant the SuiteCRM OAuth2 client allows (each client allows exactly one)."""

    CLIENT_CREDENTIALS = "client_credentials"
    PASSWORD = "password"


class SuiteCRMSettings(BaseModel):
    """How to reach and authenticate against one SuiteCRM instance."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    base_url: AnyHttpUrl = Field(description="The site URL, e.g. https://crm.example.com")
    api_layout: ApiLayout = Field(ApiLayout.AUTO, description="7.x, 8.x or auto (detected).")
    grant_type: GrantType = GrantType.CLIENT_CREDENTIALS
    client_id: str = Field(min_length=1, description="The OAuth2 client's id (a UUID).")
    client_secret: SecretStr
    username: str | None = Field(None, description="API user, for the password grant.")
    password: SecretStr | None = Field(None, description="API user's password (password grant).")
    page_size: int = Field(100, ge=1, le=1000, description="Rows per list request.")
    http: HttpSettings = Field(default_factory=HttpSettings)

    @model_validator(mode="after")
    def _password_grant_needs_user(self) -> SuiteCRMSettings:
        if self.grant_type is GrantType.PASSWORD and (not self.username or self.password is None):
            raise ValueError("the password grant needs username and password")
        return self
