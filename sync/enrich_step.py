"""The enrich step of a run: traits computed from the store, and kept in it.

The traits of every customer are computed by ``enrichment.compute_traits`` from the tables
``load_frames`` builds; the values that changed since the last computation are saved in the
store's ``traits`` table, each change of a value already there in ``trait_history``.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

import pandas as pd

from enrichment import enrich_customers
from enrichment.observation_end import observation_end
from sync.config import ClientConfig
from sync.frames import EnrichmentInput, load_frames
from sync.store import Store
from sync.store.traits import save_trait_values
from sync.store.value_models import save_value_model
from sync.trait_memory import earlier_traits

__all__ = ["Traits", "as_of_moment", "enrich_client", "enrich_with_model", "save_traits",
           "traits_by_customer"]

log = logging.getLogger(__name__)

Traits = dict[str, dict[str, Any]]
"""Customer record id -> trait name -> value (None where the trait has no value)."""

def enrich_client(config: ClientConfig, store: Store, *, now: datetime | None = None,
                  save: bool = True) -> Traits:
    """Every customer's traits, computed from the store (and saved there if ``save``)."""
    return enrich_with_model(config, store, now=now, save=save)[0]


def enrich_with_model(config: ClientConfig, store: Store, *, now: datetime | None = None,
                      save: bool = True, frames: EnrichmentInput | None = None
                      ) -> tuple[Traits, dict[str, Any]]:
    """``enrich_client`` and the value model's report (model, fit date, parameters,
    backtest, and why value traits are empty if they are); saved with the traits.

    Traits are computed as of the start of ``now``'s day (or hour, ``enrichment.as_of``) in
    the client's schedule timezone (``enrichment.observation_end``); data stamped later the
    same day counts as made at that moment. ``frames``: the store's tables, when the caller
    has loaded them already.
    """
    started = now or datetime.now(UTC)
    moment = as_of_moment(config, started)
    frames = frames if frames is not None else load_frames(store, config)
    result = enrich_customers(frames.customers, frames.purchases, frames.interactions,
                              config.enrichment, as_of=moment, data_until=started,
                              earlier=earlier_traits(store, moment))
    traits = traits_by_customer(result.traits)
    report = result.value_model.as_dict()
    if not report["value_traits_written"]:
        log.warning("%s: value traits left empty: %s", config.client,
                    "; ".join(report["reasons"]))
    if save:
        changed = save_traits(store, traits, computed_at=moment)
        with store.transaction() as connection:
            save_value_model(connection, report, fitted_at=moment)
        log.info("%s: traits of %d customers computed, %d values changed", config.client,
                 len(traits), changed)
    return traits, report


def as_of_moment(config: ClientConfig, now: datetime) -> datetime:
    """The moment a run at ``now`` computes this client's traits for."""
    timezone = config.schedule.timezone if config.schedule is not None else "UTC"
    return observation_end(now, timezone, config.enrichment.as_of)


def traits_by_customer(frame: pd.DataFrame) -> Traits:
    """``compute_traits``' frame as plain Python values by customer id; missing is None."""
    if frame.empty:
        return {}
    plain = frame.astype(object).where(frame.notna(), None)
    rows = [{str(k): v for k, v in row.items()} for row in plain.to_dict("records")]
    return {str(row.pop("id")): row for row in rows}


def save_traits(store: Store, traits: Mapping[str, Mapping[str, Any]], *,
                computed_at: datetime) -> int:
    """Save the values that changed; returns how many."""
    new = {(customer, trait): _json(value)
           for customer, values in traits.items() for trait, value in values.items()}
    with store.transaction() as connection:
        return save_trait_values(connection, new, computed_at=computed_at)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    return str(value)


_encode = json.JSONEncoder(default=_plain, sort_keys=True).encode


def _json(value: Any) -> str:
    """The value as JSON text; plain numbers without the encoder's overhead (same text)."""
    kind = type(value)
    if kind is float and math.isfinite(value):
        return repr(value)
    if kind is int:
        return str(value)
    if value is None:
        return "null"
    return _encode(value)
