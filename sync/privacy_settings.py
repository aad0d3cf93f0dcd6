"""The ``privacy`` section of a client config: the hashing key and how long data is kept."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, SecretStr

__all__ = ["PrivacySettings"]


class PrivacySettings(BaseModel):
    """Keyed hashing of identity keys, and retention windows."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: SecretStr | None = Field(
        None, description="key for hashing identity keys, as ${VAR}; default: a key file "
                          "created with mode 0600 beside the store")
    interactions_days: int = Field(
        730, ge=1, description="interactions older than this many days are removed each run")
    keep_deleted_days: int = Field(
        30, ge=0, description="a record deleted in the CRM is erased after this many days")

    def retention_text(self) -> str:
        """The retention windows in one line, as status and the report show them."""
        return (f"retention: interactions are kept {self.interactions_days} days; a record "
                f"deleted in the CRM is erased after {self.keep_deleted_days} days")
