"""The report's figures, read from a client's state store.

Current traits come from the ``traits`` table (customers that are live records of the
customer module), stage movements from ``trait_history``, the last runs from ``runs`` with
their writes counted in ``writes``. Everything is grouped in SQL or with pandas, no loop over
customers, so a store of 100,000 customers reports in about a second.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import numpy as np
import pandas as pd

from enrichment.value_trend import VALUE_TRENDS
from sync.config import ClientConfig
from sync.report.model import (
    Band,
    CallRow,
    ClvTerms,
    Movement,
    ReportData,
    RunRow,
    SegmentRow,
    StageCount,
)
from sync.store import Connection, Store
from sync.store.runs import recent_runs
from sync.store.traits import live_trait_values, trait_changes
from sync.store.value_models import latest_value_model
from sync.store.write_counts import writes_per_run

__all__ = ["AT_RISK", "CHURN_BANDS", "report_data"]

CHURN_BANDS = ("0–20%", "20–40%", "40–60%", "60–80%", "80–100%")
AT_RISK = 0.6
"""Buyers whose churn risk is at least this are counted as at high risk."""

_NUMBERS = ("historical_value", "clv", "churn_risk", "purchase_count", "potential_value")
CALL_ROWS = 10
"""Customers in each "who to call" table."""
_LABELS = ("rfm_segment", "lifecycle_stage", "value_trend")
_NO_VALUE = "(none)"


def report_data(store: Store, config: ClientConfig, *, now: datetime,
                movement_days: int = 30, runs: int = 10) -> ReportData:
    """Everything the report shows about ``config``'s client, as the store holds it ``now``."""
    live = config.enrichment.customer_entity.value
    with store.transaction() as connection:
        traits = _current_traits(connection, live)
        movements = _movements(connection, live, now - timedelta(days=movement_days))
        run_rows = _runs(connection, runs)
        value_model = latest_value_model(connection)
    buyers = traits[traits["purchase_count"] > 0]
    return ReportData(
        client=config.client,
        generated_at=now,
        customers=len(traits),
        segments=_segments(traits),
        lifecycle=[StageCount(str(stage), int(count)) for stage, count in
                   traits["lifecycle_stage"].value_counts(sort=True).items()],
        value_deciles=_deciles(traits["clv"]),
        churn_bands=_churn_bands(buyers),
        value_trends=_value_trends(buyers),
        at_risk_customers=int((buyers["churn_risk"] >= AT_RISK).sum()),
        movements=movements,
        movement_days=movement_days,
        runs=run_rows,
        value_model=value_model,
        clv_terms=_clv_terms(value_model, config),
        retention=config.privacy.retention_text(),
        call_at_risk=_calls(buyers, buyers["clv"] * buyers["churn_risk"], config),
        call_potential=_calls(traits, traits["potential_value"], config),
    )


def _detail_url(config: ClientConfig, record_id: str) -> str:
    """The record's detail view in SuiteCRM: ``base_url/index.php?module=...&record=ID``."""
    query = urlencode({"module": config.enrichment.customer_entity.value,
                       "action": "DetailView", "record": record_id})
    return f"{str(config.suitecrm.base_url).rstrip('/')}/index.php?{query}"


def _calls(traits: pd.DataFrame, score: pd.Series, config: ClientConfig) -> list[CallRow]:
    """The ``CALL_ROWS`` customers of ``traits`` with the highest positive ``score`` (ties by
    record id), each with the link to its SuiteCRM detail view."""
    ranked = (pd.DataFrame({"score": score, "id": traits.index}, index=traits.index)
              .query("score > 0").sort_values(["score", "id"], ascending=[False, True]))
    rows = traits.loc[ranked.index[:CALL_ROWS]]
    return [CallRow(record_id=str(record_id), url=_detail_url(config, str(record_id)),
                    segment=str(row.rfm_segment), stage=str(row.lifecycle_stage),
                    clv=float(row.clv), churn_risk=float(row.churn_risk),
                    potential_value=float(row.potential_value))
            for record_id, row in rows.iterrows()]


def _clv_terms(value_model: Mapping[str, Any] | None, config: ClientConfig) -> ClvTerms | None:
    """The terms of the latest fit; fits stored before they were recorded take the config's."""
    if value_model is None:
        return None
    settings = config.enrichment.value_model
    horizon = value_model.get("horizon_days")
    rate = value_model.get("annual_discount_rate")
    return ClvTerms(
        horizon_days=int(settings.horizon_days if horizon is None else horizon),
        annual_discount_rate=float(settings.annual_discount_rate if rate is None else rate),
        as_of=str(value_model.get("fitted_at") or "")[:10])


def _current_traits(connection: Connection, live: str) -> pd.DataFrame:
    """One row per live customer of module ``live``: the traits the report uses, typed;
    missing numbers are 0."""
    long = pd.DataFrame(live_trait_values(connection, live, (*_NUMBERS, *_LABELS)),
                        columns=["customer_id", "trait", "value"])
    wide = long.pivot(index="customer_id", columns="trait", values="value")
    frame = pd.DataFrame(index=wide.index)
    for name in _NUMBERS:
        column = wide[name] if name in wide else pd.Series(index=wide.index, dtype=object)
        frame[name] = pd.to_numeric(column, errors="coerce").fillna(0.0).astype("float64")
    for name in _LABELS:
        column = wide[name] if name in wide else pd.Series(index=wide.index, dtype=object)
        frame[name] = _decoded(column).astype(object).fillna(_NO_VALUE)
    return frame


def _decoded(column: pd.Series) -> pd.Series:
    """JSON text values decoded, each distinct value once."""
    plain = {text: json.loads(text) for text in column.dropna().unique()}
    return column.map(plain)


def _segments(traits: pd.DataFrame) -> list[SegmentRow]:
    grouped = traits.groupby("rfm_segment").agg(
        customers=("clv", "size"), historical=("historical_value", "sum"),
        predicted=("clv", "sum")).sort_values("customers", ascending=False)
    return [SegmentRow(str(name), int(row.customers), float(row.historical),
                       float(row.predicted)) for name, row in grouped.iterrows()]


def _deciles(values: pd.Series) -> list[Band]:
    """Customers ordered by predicted value in ten equal groups; the value each holds."""
    ordered = np.sort(values.to_numpy(dtype="float64"))
    if not len(ordered):
        return []
    decile = np.arange(len(ordered)) * 10 // len(ordered)
    counts = np.bincount(decile, minlength=10)
    sums = np.bincount(decile, weights=ordered, minlength=10)
    return [Band(str(index + 1), int(counts[index]), float(sums[index])) for index in range(10)]


def _churn_bands(buyers: pd.DataFrame) -> list[Band]:
    """Buyers per fifth of churn risk, with the predicted value at stake in each."""
    band = np.clip(np.floor(buyers["churn_risk"].to_numpy() * len(CHURN_BANDS)), 0,
                   len(CHURN_BANDS) - 1).astype(int)
    counts = np.bincount(band, minlength=len(CHURN_BANDS))
    value = np.bincount(band, weights=buyers["clv"].to_numpy(), minlength=len(CHURN_BANDS))
    return [Band(label, int(counts[index]), float(value[index]))
            for index, label in enumerate(CHURN_BANDS)]


def _value_trends(buyers: pd.DataFrame) -> list[Band]:
    """Buyers per value trend (those without one yet left out), with their predicted value."""
    clv = buyers.groupby("value_trend")["clv"]
    counts, values = clv.size(), clv.sum()
    return [Band(trend, int(counts[trend]), float(values[trend]))
            for trend in VALUE_TRENDS if trend in counts.index]


def _movements(connection: Connection, live: str, since: datetime) -> list[Movement]:
    """Customers per (from, to) lifecycle change since ``since``; a first stage is from ''."""
    moves = [Movement(_stage(old), _stage(new), count)
             for old, new, count in trait_changes(connection, live, "lifecycle_stage", since)]
    return sorted(moves, key=lambda move: (-move.customers, move.from_stage, move.to_stage))


def _stage(text: str | None) -> str:
    value = json.loads(text) if text is not None else None
    return "" if value is None else str(value)


def _runs(connection: Connection, limit: int) -> list[RunRow]:
    rows = recent_runs(connection, limit)
    writes = writes_per_run(connection, [row.id for row in rows])
    return [RunRow(run_id=row.id, kind=_kind(row.trigger), started_at=row.started_at,
                   finished_at=row.finished_at, outcome=row.outcome,
                   records=_records(row.counts), writes=writes.get(row.id, 0))
            for row in rows]


def _kind(trigger: str) -> str:
    """Push and undo runs say so in their trigger; every other run is a sync."""
    return trigger if trigger in {"push", "undo"} else "sync"


def _records(counts: Mapping[str, Mapping[str, Any]]) -> int:
    """Records a run handled: read by a sync's streams, or compared by a push."""
    return sum(_handled(stream) for stream in counts.values())


def _handled(counts: Mapping[str, Any]) -> int:
    if "compared" in counts:
        return int(counts["compared"])
    keys: Iterable[str] = ("new", "changed", "unchanged", "own_writes", "rejected")
    return sum(int(counts.get(key, 0)) for key in keys)
