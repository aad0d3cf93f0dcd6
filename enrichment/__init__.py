"""Pure computations over tables: customer facts, RFM, rule segments, lifecycle, value.

Enrichment imports nothing of ours but its own modules and never does I/O with the outside.
The computing names load numpy, pandas and scipy on first use, so reading settings (every
command does) stays fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from enrichment.errors import EnrichmentError
from enrichment.settings import EnrichmentSettings

if TYPE_CHECKING:
    from enrichment.compute import Enrichment, compute_traits, enrich_customers
    from enrichment.lifecycle import STAGES, stage_changes
    from enrichment.traits import TRAITS, TraitKind, TraitSpec, trait_specs

__all__ = [
    "STAGES",
    "TRAITS",
    "Enrichment",
    "EnrichmentError",
    "EnrichmentSettings",
    "TraitKind",
    "TraitSpec",
    "compute_traits",
    "enrich_customers",
    "stage_changes",
    "trait_specs",
]

_LAZY = {
    "compute_traits": "enrichment.compute",
    "enrich_customers": "enrichment.compute",
    "Enrichment": "enrichment.compute",
    "STAGES": "enrichment.lifecycle",
    "stage_changes": "enrichment.lifecycle",
    "TRAITS": "enrichment.traits",
    "TraitKind": "enrichment.traits",
    "TraitSpec": "enrichment.traits",
    "trait_specs": "enrichment.traits",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'enrichment' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
