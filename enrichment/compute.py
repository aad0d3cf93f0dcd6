"""``compute_traits``: every trait of every customer from customers, purchases, interactions."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import numpy.typing as npt
import pandas as pd

from enrichment.consent import email_consent
from enrichment.customer_model import VALUE_TRAITS, ValueModelReport, model_customers
from enrichment.engagement import engagement_scores, interaction_weights, latest_is_negative
from enrichment.errors import EnrichmentError
from enrichment.lifecycle import lifecycle_stages
from enrichment.potential import potential_values
from enrichment.rfm import rfm_segments
from enrichment.rule_evaluation import age_in_years, matching_segments
from enrichment.settings import EnrichmentSettings
from enrichment.summary import epoch_ns
from enrichment.traits import TRAITS, TraitKind
from enrichment.value_trend import TREND_TRAITS, Earlier, value_trend_traits

__all__ = ["Enrichment", "compute_traits", "enrich_customers"]

logger = logging.getLogger(__name__)
_NS_PER_DAY = 86_400 * 10**9


@dataclass(frozen=True)
class Enrichment:
    """The traits of every customer and the report of the value model behind them."""

    traits: pd.DataFrame
    value_model: ValueModelReport


def compute_traits(customers: pd.DataFrame, purchases: pd.DataFrame,
                   interactions: pd.DataFrame, settings: EnrichmentSettings, *,
                   as_of: datetime) -> pd.DataFrame:
    """One row per customer: column ``id`` and one column per name in ``TRAITS``."""
    return enrich_customers(customers, purchases, interactions, settings, as_of=as_of).traits


def enrich_customers(customers: pd.DataFrame, purchases: pd.DataFrame,
                     interactions: pd.DataFrame, settings: EnrichmentSettings, *,
                     as_of: datetime, data_until: datetime | None = None,
                     earlier: Earlier | None = None) -> Enrichment:
    """The traits (as ``compute_traits``) and the value model's report.

    ``data_until`` (the run's real time, after the day clock's ``as_of``) lets the data of
    the current window count at once: a purchase or unsubscribe stamped between ``as_of`` and
    ``data_until`` is taken as made at ``as_of``, so new data changes traits the same day
    while time alone does not. Purchases and interactions after that, of unknown customers,
    or without customer or date are ignored; a missing amount counts as 0. Every number is
    finite; the value traits (``VALUE_TRAITS``) are NaN (empty) for everyone when the value
    model is not trusted, with the reasons in the report. ``earlier``: what earlier runs
    computed, for the value trend (``enrichment.value_trend``).
    """
    _require(customers, ["id"], "customers")
    _require(purchases, ["customer_id", "occurred_at", "amount"], "purchases")
    _require(interactions, ["customer_id", "occurred_at", "channel"], "interactions")
    ids = customers["id"].reset_index(drop=True)
    _unique_ids(ids)
    stamp = pd.Timestamp(as_of)
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    as_of_ns = int(stamp.value)
    until_ns = as_of_ns if data_until is None else max(as_of_ns,
                                                        int(pd.Timestamp(data_until).value))
    bought = _usable(purchases, ids, until_ns, clamp_ns=as_of_ns)  # models need t <= T
    touched = _usable(interactions, ids, until_ns)  # keeps its order: consent is the latest
    amounts = pd.to_numeric(bought["amount"], errors="coerce").fillna(0.0).to_numpy(float)

    out = pd.DataFrame({"id": ids})
    n = len(ids)
    vm = settings.value_model
    fitted = model_customers(bought["customer_id"].to_numpy(), bought["occurred_at"],
                             amounts, as_of=stamp, settings=vm)
    summary = fitted.summary
    at = pd.Index(ids).get_indexer(summary.customer)

    count = np.zeros(n, dtype=np.int64)
    count[at] = summary.occasions
    out["purchase_count"] = count
    out["first_purchase_date"] = _dates(at, summary.first_at, n)
    out["last_purchase_date"] = _dates(at, summary.last_at, n)
    since = np.full(n, np.nan)
    since[at] = fitted.days_since
    out["days_since_last_purchase"] = pd.array(since, dtype="Float64").astype("Int64")
    history = pd.Series(amounts).groupby(bought["customer_id"].to_numpy()).sum()
    out["historical_value"] = history.reindex(ids).fillna(0.0).to_numpy()
    aov = np.full(n, np.nan)  # no order, no average: empty, not 0
    aov[at] = summary.total_value / summary.occasions
    out["avg_order_value"] = aov

    # value traits have no meaning for someone who never bought: empty, never 0 ("safe")
    written = fitted.report.written
    for name, column in vars(fitted.value).items():
        out[name] = np.nan
        out.loc[at, name] = column
    bands = fitted.bands
    for name, low in (("clv_p10", True), ("clv_p90", False)):
        out[name] = np.nan
        if bands is not None:
            spread = bands.discounted_p10 if low else bands.discounted_p90
            out.loc[at, name] = spread * fitted.value.expected_avg_value
        elif written:
            out.loc[at, name] = np.nan

    consent = email_consent(touched, ids)
    out["email_consent"] = consent.to_numpy()
    out["email_opt_out"] = consent.isin(["unsubscribed", "cleaned"]).to_numpy()
    engaging = touched[interaction_weights(touched, settings.engagement) > 0]
    last_touch = pd.Series(epoch_ns(engaging["occurred_at"])).groupby(
        engaging["customer_id"].to_numpy()).max().reindex(ids)
    out["engagement_score"] = engagement_scores(touched, settings.engagement, as_of_ns
                                                ).reindex(ids).fillna(0.0).to_numpy()
    opted_out = latest_is_negative(touched, settings.engagement).reindex(ids).fillna(
        False).to_numpy(dtype=bool)
    out["last_interaction_date"] = _as_dates(
        last_touch.to_numpy(dtype=np.float64).astype("datetime64[ns]")
        if n else np.empty(0, dtype="datetime64[ns]"))

    scores = {"r_score": np.zeros(n, np.int64), "f_score": np.zeros(n, np.int64),
              "m_score": np.zeros(n, np.int64)}
    scores["r_score"][at] = fitted.r_score
    scores["f_score"][at] = fitted.f_score
    scores["m_score"][at] = fitted.m_score
    out = out.assign(**scores)
    out["rfm_score"] = (out["r_score"].astype(str) + out["f_score"].astype(str)
                        + out["m_score"].astype(str))
    out["rfm_segment"] = rfm_segments(out["r_score"], out["f_score"], out["m_score"],
                                      settings.rfm.grid)
    out["potential_value"] = potential_values(out["clv"], out["f_score"],
                                              vm.potential_percentile)
    if not written:
        out["potential_value"] = np.nan
    touch_days = np.maximum((as_of_ns - last_touch.to_numpy(dtype=np.float64)) / _NS_PER_DAY,
                            0.0)
    out["lifecycle_stage"] = lifecycle_stages(count, since, touch_days, out["p_alive"],
                                              settings.lifecycle, opted_out=opted_out)

    shown_clv = out["clv"].round(TRAITS["clv"].precision or 0)  # as stored and compared
    trend = value_trend_traits(ids, shown_clv, out["lifecycle_stage"],
                               earlier or Earlier.none(), band=settings.value_trend_band,
                               as_of=stamp.date())
    for name in TREND_TRAITS:
        out[name] = trend[name].to_numpy()

    table = customers.reset_index(drop=True).drop(columns=[c for c in out if c != "id"],
                                                  errors="ignore").join(out.drop(columns="id"))
    if "birthdate" in table.columns and "age" not in table.columns:
        table["age"] = age_in_years(table["birthdate"], stamp)
    first, every = matching_segments(settings.segments, table, stamp)
    out["rule_segment"] = pd.Series(first.to_numpy(), dtype=object)
    out["rule_segments"] = every.to_numpy()
    return Enrichment(_rounded(out[["id", *TRAITS]]), fitted.report)


def _require(frame: pd.DataFrame, columns: Sequence[str], name: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise EnrichmentError(f"the {name} table has no column {missing[0]!r}",
                              column=missing[0],
                              hint=f"{name} needs the columns {', '.join(columns)}")


def _unique_ids(ids: pd.Series) -> None:
    twice = ids.duplicated()
    if twice.any():
        row = int(np.flatnonzero(twice.to_numpy())[0]) + 1
        raise EnrichmentError("customer id appears twice", row=row, column="id")


def _usable(frame: pd.DataFrame, ids: pd.Series, until_ns: int, *,
            clamp_ns: int | None = None) -> pd.DataFrame:
    """Rows of known customers dated up to ``until``; with ``clamp``, later dates moved to it."""
    known = frame["customer_id"].isin(ids) & frame["occurred_at"].notna()
    rows = frame.loc[known]
    when = pd.to_datetime(rows["occurred_at"], errors="coerce", utc=True)
    keep = when.notna() & (when <= pd.Timestamp(until_ns, tz="UTC"))
    dropped = int(len(frame) - keep.sum())
    if dropped:
        logger.info("ignored %d rows without a known customer or date, or after as_of",
                    dropped)
    result = rows.loc[keep].copy()
    kept = when.loc[keep]
    if clamp_ns is not None:
        limit = pd.Timestamp(clamp_ns, tz="UTC")
        kept = kept.mask(kept > limit, limit)
    result["occurred_at"] = kept
    return result


def _dates(at: npt.NDArray[np.intp], moments: npt.NDArray[np.datetime64],
           n: int) -> pd.Series:
    stamps = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    stamps[at] = moments
    return _as_dates(stamps)


def _as_dates(stamps: npt.NDArray[np.datetime64]) -> pd.Series:
    """``datetime.date`` objects, None where NaT."""
    series = pd.Series(stamps)
    dates: pd.Series = series.dt.date.astype(object).where(series.notna(), None)
    return dates


_MAY_BE_EMPTY = frozenset((*VALUE_TRAITS, "clv_change_90d"))


def _rounded(frame: pd.DataFrame) -> pd.DataFrame:
    for name, spec in TRAITS.items():
        if spec.kind is TraitKind.FLOAT:
            values = frame[name].to_numpy(dtype=np.float64)
            if name in _MAY_BE_EMPTY:  # empty (NaN): model not trusted, nothing to compare
                values = np.where(np.isfinite(values), values, np.nan)
            else:
                values = np.nan_to_num(values, nan=0.0, posinf=0.0, neginf=0.0)
            frame[name] = np.round(values, spec.precision or 0)
    return frame
