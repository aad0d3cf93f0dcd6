"""Web analytics sources: Matomo."""

from __future__ import annotations

from connectors.analytics.settings import MatomoSettings

__all__ = ["MatomoSettings"]
