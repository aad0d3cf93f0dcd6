"""Settings of the web analytics connectors."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, SecretStr, model_validator

from connectors.settings import HttpSettings

__all__ = ["MatomoSettings", "VisitDetail"]

VisitDetail = Literal["ip", "fingerprint", "urls"]
"""Personal visit details kept only when the config names them."""


class MatomoSettings(BaseModel):
    """Matomo sites whose visits (with their goals and e-commerce orders) count as web activity.

    Visits are read with ``Live.getLastVisitsDetails``; the token is sent in the POST body,
    never in the URL. ``site_id`` is the first site, ``site_ids`` lists more.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    base_url: AnyHttpUrl = Field(description="The Matomo URL, e.g. https://stats.example.com")
    site_id: int | None = Field(None, ge=1, description="The Matomo site (idSite) to read.")
    site_ids: list[Annotated[int, Field(ge=1)]] = Field(
        default_factory=list, description="More sites to read.")
    token_auth: SecretStr
    user_id_is_email: bool = Field(
        False, description="The site sets Matomo's user id to the visitor's e-mail address."
    )
    page_size: int = Field(
        500, ge=1, le=5000,
        description="Visits per request (filter_limit); a memory or time-out answer halves it.")
    min_page_size: int = Field(
        10, ge=1, description="Halving stops here; a page this small that still fails fails.")
    overlap_seconds: int = Field(
        3600, ge=0, le=7 * 86400,
        description="Visits this far before the cursor are read again (late tracking data).")
    reread_days: int = Field(
        2, ge=0, le=31,
        description="The first sync of each site-local day re-reads this many days.")
    history_days: int = Field(
        365, ge=1, le=3650, description="How far back the first sync (or --full) reads.")
    keep: list[VisitDetail] = Field(
        default_factory=list,
        description="Personal details kept per visit besides the counts: ip, fingerprint, urls.")
    http: HttpSettings = Field(default_factory=HttpSettings)

    @model_validator(mode="after")
    def _some_site(self) -> MatomoSettings:
        if self.site_id is None and not self.site_ids:
            raise ValueError("name the Matomo site to read: site_id (or site_ids)")
        if self.min_page_size > self.page_size:
            raise ValueError("min_page_size cannot be larger than page_size")
        return self

    @property
    def sites(self) -> list[int]:
        """Every site to read, each once, in config order."""
        first = [self.site_id] if self.site_id is not None else []
        return list(dict.fromkeys([*first, *self.site_ids]))
