"""Adapters to outside systems: SuiteCRM V8, mail sources and web analytics.

Connectors know the outside systems and nothing about customers.
"""

from __future__ import annotations

from connectors.errors import (
    AuthError,
    ConnectorError,
    FatalAPIError,
    RecordError,
    RetriableError,
)

__all__ = ["AuthError", "ConnectorError", "FatalAPIError", "RecordError", "RetriableError"]
