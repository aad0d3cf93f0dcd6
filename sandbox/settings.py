"""Settings of one sandbox server: data, credentials, layout and injected faults."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr

__all__ = ["FaultSettings", "SandboxSettings"]

HttpMethod = Literal["GET", "POST", "PATCH", "DELETE"]
_METHODS: tuple[HttpMethod, ...] = ("GET", "POST", "PATCH", "DELETE")


class FaultSettings(BaseModel):
    """Faults the server injects; change the attributes while it runs."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    latency_ms: float = Field(0.0, ge=0, le=60_000, description="Added to every API request.")
    rate_429: float = Field(0.0, ge=0, le=1, description="Share of requests answered 429.")
    retry_after_s: int = Field(1, ge=0, le=3600, description="Retry-After sent with a 429.")
    rate_5xx: float = Field(0.0, ge=0, le=1, description="Share of requests answered 503.")
    token_ttl_s: float | None = Field(
        None, gt=0, description="Access tokens stop working after this many seconds "
        "(expires_in still says 3600, as a misconfigured server would)."
    )
    rate_drop: float = Field(0.0, ge=0, le=1, description="Share of connections dropped "
                             "mid-response.")
    rate_lost_answer: float = Field(0.0, ge=0, le=1, description="Share of writes (PATCH, "
                                    "POST, DELETE) applied, then the connection dropped "
                                    "before the answer.")
    rate_php_warning: float = Field(0.0, ge=0, le=1, description="Share of write answers "
                                    "with a PHP warning printed before the JSON.")
    rate_html_200: float = Field(0.0, ge=0, le=1, description="Share of requests answered "
                                 "by an HTML maintenance page with status 200 (the request "
                                 "never reaches SuiteCRM).")
    html_200_methods: list[HttpMethod] = Field(
        default_factory=lambda: list(_METHODS),
        description="The methods rate_html_200 applies to.")
    refuse_ids: list[str] = Field(default_factory=list, description="Record ids whose writes "
                                  "are refused with 400, as a logic hook or validation would.")
    seed: int | None = Field(None, description="Seed of the fault dice (None: random).")
    rate_403_bare: float = Field(0.0, ge=0, le=1, description="Share of Mailchimp requests "
                                 "answered 403 without a body (Mailchimp's throttling).")
    matomo_visits_log: Literal["on", "off_globally", "off_for_site"] = Field(
        "on", description="Matomo's visits log: on, or deactivated globally or for the site "
        "(Live answers Matomo's error, with HTTP 200).")
    matomo_memory_visits: int | None = Field(
        None, ge=1, description="A Live page of more visits than this exhausts the memory "
        "(PHP fatal error, HTTP 500).")


class SandboxSettings(BaseModel):
    """What a sandbox holds and how it answers."""

    model_config = ConfigDict(extra="forbid")

    customers: int = Field(500, ge=0, le=2_000_000, description="Contacts to generate.")
    seed: int = Field(1, description="Same seed, same data.")
    anchor: date | None = Field(
        None, description="The synthetic history ends on this day (None: today, UTC)."
    )
    db_path: Path | None = Field(None, description="SQLite file; None keeps it in memory.")
    layout: Literal["7", "8"] = Field(
        "7", description="7: /Api/...; 8: /legacy/Api/... as well (SuiteCRM 8 layout)."
    )
    client_id: str = "10c94ee0-623a-0c4d-b9aa-6b03f65b345c"
    client_secret: SecretStr = SecretStr("sandbox-client-secret")
    password_client_id: str = "1799b9d0-defe-4410-80b8-6b03f681cc03"
    password_client_secret: SecretStr = SecretStr("sandbox-password-client-secret")
    username: str = "admin"
    password: SecretStr = SecretStr("sandbox-admin-password")
    sync_username: str = "sync.user"
    sync_password: SecretStr = SecretStr("sandbox-sync-password")
    mailchimp_api_key: SecretStr = SecretStr("sandbox-key-us1")
    mailchimp_list_id: str = "sandbox01"
    matomo_token: SecretStr = SecretStr("sandbox-matomo-token")
    matomo_site_id: int = 1
    matomo_user_id_is_email: bool = Field(
        True, description="Matomo's userId is the e-mail address (else the contact id)."
    )
    matomo_timezone: str = Field("Europe/Berlin", description="The Matomo site's timezone.")
    access_token_lifetime_s: int = Field(3600, ge=1, description="expires_in of access tokens.")
    faults: FaultSettings = Field(default_factory=FaultSettings)
