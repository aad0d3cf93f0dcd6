"""The SuiteCRM V8 JSON:API client."""

from __future__ import annotations

from connectors.suitecrm.settings import ApiLayout, GrantType, SuiteCRMSettings

__all__ = ["ApiLayout", "GrantType", "SuiteCRMSettings"]
