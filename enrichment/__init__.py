"""Pure computations over tables: customer facts, RFM, rule segments, lifecycle, value.

Enrichment imports nothing of ours but its own modules and never does I/O with the outside.
"""

from __future__ import annotations

from enrichment.compute import compute_traits
from enrichment.errors import EnrichmentError
from enrichment.lifecycle import STAGES, stage_changes
from enrichment.purchases import purchase_rows
from enrichment.settings import EnrichmentSettings
from enrichment.traits import TRAITS, TraitKind, TraitSpec, trait_specs

__all__ = [
    "STAGES",
    "TRAITS",
    "EnrichmentError",
    "EnrichmentSettings",
    "TraitKind",
    "TraitSpec",
    "compute_traits",
    "purchase_rows",
    "stage_changes",
    "trait_specs",
]
