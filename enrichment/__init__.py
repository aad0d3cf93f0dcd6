"""Pure computations over tables: customer facts, RFM, rule segments, lifecycle, value.

Enrichment imports nothing of ours but its own settings and never does I/O with the outside.
"""

from __future__ import annotations

from enrichment.errors import EnrichmentError
from enrichment.settings import EnrichmentSettings

__all__ = ["EnrichmentError", "EnrichmentSettings"]
