"""HTTP settings shared by every connector that speaks HTTP."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["HttpSettings"]


class HttpSettings(BaseModel):
    """Timeouts, TLS, retries and concurrency for one outside system."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    verify_tls: bool = Field(True, description="Verify the server's TLS certificate.")
    connect_timeout: float = Field(10.0, gt=0, le=300, description="Seconds to connect.")
    read_timeout: float = Field(60.0, gt=0, le=3600, description="Seconds to wait for a reply.")
    max_retries: int = Field(5, ge=0, le=20, description="Retries of a retriable failure.")
    backoff_initial: float = Field(0.5, ge=0, le=60, description="First retry delay, seconds.")
    backoff_max: float = Field(30.0, ge=0, le=600, description="Longest retry delay, seconds.")
    concurrency: int = Field(4, ge=1, le=64, description="Requests in flight at once.")
