"""Opening the client's SuiteCRM connection for write-back."""

from __future__ import annotations

import httpx

from connectors.suitecrm import SuiteCRMClient
from sync.config import ClientConfig

__all__ = ["open_crm"]


def open_crm(
    config: ClientConfig, *, transport: httpx.BaseTransport | None = None
) -> SuiteCRMClient:
    """A ``SuiteCRMClient`` for the client's SuiteCRM (``with open_crm(config) as crm:``)."""
    return SuiteCRMClient(config.suitecrm, transport=transport)
