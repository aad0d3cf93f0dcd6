"""What earlier runs computed, read from the store for the value trend (``enrichment.value_trend``).

The CLV of ``TREND_DAYS`` before the computation moment comes from the trait history; the
stage and the date it began from the stored ``lifecycle_stage`` and ``stage_since`` (a store
from before ``stage_since`` existed gives the date the stored stage was saved).
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pandas as pd

from enrichment.value_trend import TREND_DAYS, Earlier
from sync.store import Store
from sync.store.traits import trait_values_at, values_set_at

__all__ = ["earlier_traits"]


def earlier_traits(store: Store, moment: datetime) -> Earlier:
    """The memory of earlier runs that a computation at ``moment`` compares with."""
    with store.transaction() as connection:
        clv_then = trait_values_at(connection, "clv", moment - timedelta(days=TREND_DAYS))
        stages = values_set_at(connection, "lifecycle_stage")
        since = {customer: value for customer, (value, _) in
                 values_set_at(connection, "stage_since").items()}
    stage = {customer: json.loads(value) if value is not None else None
             for customer, (value, _) in stages.items()}
    began = {customer: _date(since.get(customer)) or saved.date()
             for customer, (_, saved) in stages.items()}
    return Earlier(
        clv_then=pd.Series({c: json.loads(v) if v is not None else None
                            for c, v in clv_then.items()}, dtype=object),
        stage=pd.Series(stage, dtype=object),
        stage_since=pd.Series(began, dtype=object))


def _date(value: str | None) -> date | None:
    """A stored date trait (JSON text of an ISO date), None when empty."""
    text = json.loads(value) if value is not None else None
    return date.fromisoformat(text) if isinstance(text, str) else None
