"""Why one customer has the traits it has: inputs, RFM scores against the grid, the lifecycle
rule that placed it, each rule segment clause by clause, the value model, and the values last
written to its mapped CRM fields.

``explain`` is pure (it takes computed traits and tables); ``explain_customer`` gathers them
from a client's store, computing traits as of now without saving them. Explanations carry ids,
numbers, dates and the names of segments and stages only: no record field of the customer.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
import pandas as pd

from enrichment.engagement import latest_is_negative
from enrichment.errors import EnrichmentError
from enrichment.rfm import NO_PURCHASE_SEGMENT, fm_scores
from enrichment.rule_evaluation import age_in_years, evaluate_rule
from enrichment.rule_language import AllRule, AnyRule, Condition, NotRule, Rule
from enrichment.settings import EnrichmentSettings
from enrichment.traits import TRAITS
from sync.config import ClientConfig
from sync.enrich_step import Traits, as_of_moment, enrich_with_model
from sync.frames import EnrichmentInput, load_frames
from sync.settings import FieldMapping
from sync.store import Store
from sync.store.value_models import latest_value_model
from sync.store.writes import WriteRow, last_written_rows

__all__ = ["Clause", "Explanation", "FieldWrite", "Inputs", "Rfm", "Score", "SegmentMatch",
           "Stage", "ValueModel", "explain", "explain_customer", "explanation_lines"]


@dataclass(frozen=True)
class Inputs:
    """What the traits were computed from: purchase rows and their total, interactions."""

    purchases: int
    purchase_total: float
    purchase_occasions: int
    interactions_by_channel: dict[str, int]


@dataclass(frozen=True)
class Score:
    """One RFM score: the customer's value, its percentile among buyers, and the range of
    values of the buyers who got the same score (the cut-offs)."""

    name: str
    score: int
    value: float | None
    percentile: float | None
    buyers: int
    same_score_min: float | None
    same_score_max: float | None


@dataclass(frozen=True)
class Rfm:
    """The RFM segment: ``grid[R][FM - 1]`` with FM the mean of F and M rounded half up."""

    recency: Score
    frequency: Score
    monetary: Score
    fm: int
    segment: str
    grid_row: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class Stage:
    """The lifecycle stage and the rule (thresholds of ``enrichment.lifecycle``) that placed it."""

    stage: str
    rules: tuple[str, ...]
    thresholds: dict[str, float]
    reason: str


@dataclass(frozen=True)
class Clause:
    """One condition of a rule segment; ``value`` and ``operand`` only for trait fields."""

    field: str
    operator: str
    operand: str | None
    value: Any
    matched: bool


@dataclass(frozen=True)
class SegmentMatch:
    """A rule segment of the client's config, whether it matched, and each condition."""

    name: str
    matched: bool
    clauses: tuple[Clause, ...]


@dataclass(frozen=True)
class ValueModel:
    """The value model behind the value traits, and this customer's predictions."""

    source: str
    model: str | None
    chosen_by: str | None
    fitted_at: str | None
    params: dict[str, Any]
    """The fitted parameters of the model used and of Gamma-Gamma (``params_document``)."""
    value_traits_written: bool
    reasons: tuple[str, ...]
    horizon_days: int
    annual_discount_rate: float
    p_alive: float | None
    expected_purchases: float | None
    clv: float | None
    clv_p10: float | None
    clv_p90: float | None


@dataclass(frozen=True)
class Trend:
    """How the customer's value and stage moved: against the CLV 90 days ago, and since when
    the stage holds (``enrichment.value_trend``)."""

    clv_change_90d: float | None
    value_trend: str | None
    band: float
    stage_since: date | None


@dataclass(frozen=True)
class FieldWrite:
    """A mapped CRM field: the trait's value now, and what a run last wrote there."""

    trait: str
    field: str
    value: Any
    last_written: Any
    run_id: str | None
    written_at: datetime | None


@dataclass(frozen=True)
class Explanation:
    """Everything ``suitepulse explain`` says about one customer."""

    module: str
    record_id: str
    as_of: datetime
    inputs: Inputs
    rfm: Rfm
    lifecycle: Stage
    rule_segment: str | None
    segments: tuple[SegmentMatch, ...]
    value: ValueModel
    trend: Trend
    fields: tuple[FieldWrite, ...]

    def as_dict(self) -> dict[str, Any]:
        """Plain data for ``--json`` (dates as ISO text by the JSON writer)."""
        return asdict(self)


def explain_customer(config: ClientConfig, store: Store, record_id: str, *,
                     now: datetime | None = None) -> Explanation:
    """The explanation of ``record_id`` from the client's store (traits computed, not saved).

    Raises ``EnrichmentError`` when the store has no live customer with that id.
    """
    started = now or datetime.now(UTC)
    frames = load_frames(store, config)
    traits, fresh_report = enrich_with_model(config, store, now=started, save=False,
                                             frames=frames)
    module = config.enrichment.customer_entity.value
    if record_id not in traits:
        raise EnrichmentError(
            f"no {module} record {record_id!r} in the store of {config.client}: give the id "
            f"of a live {module} record (`suitepulse sync {config.client}` pulls new ones)")
    with store.transaction() as connection:
        stored_report = latest_value_model(connection)
        written = last_written_rows(connection, module, record_id)
    report, source = ((stored_report, "stored") if stored_report is not None
                      else (fresh_report, "computed now"))
    mapped = {trait: mapping for trait, mapping in config.writeback.fields.items()
              if mapping.module == module}
    return explain(record_id, traits, frames, config.enrichment, report=report,
                   report_source=source, mappings=mapped, written=written,
                   as_of=as_of_moment(config, started), module=module)


def explain(record_id: str, traits: Traits, frames: EnrichmentInput,
            settings: EnrichmentSettings, *, report: Mapping[str, Any], report_source: str,
            mappings: Mapping[str, FieldMapping], written: Mapping[str, WriteRow],
            as_of: datetime, module: str) -> Explanation:
    """The explanation of one customer of ``traits`` (every customer's, for the percentiles)."""
    mine = traits[record_id]
    return Explanation(
        module=module, record_id=record_id, as_of=as_of,
        inputs=_inputs(record_id, mine, frames),
        rfm=_rfm(mine, traits, settings),
        lifecycle=_stage(record_id, mine, frames, settings, as_of),
        rule_segment=mine.get("rule_segment"),
        segments=_segments(record_id, mine, frames, settings, as_of),
        value=_value(mine, report, report_source, settings),
        trend=Trend(clv_change_90d=mine.get("clv_change_90d"),
                    value_trend=mine.get("value_trend"), band=settings.value_trend_band,
                    stage_since=mine.get("stage_since")),
        fields=tuple(_field(trait, mapping, mine, written.get(mapping.field_name))
                     for trait, mapping in mappings.items()),
    )


def _inputs(record_id: str, mine: Mapping[str, Any], frames: EnrichmentInput) -> Inputs:
    bought = frames.purchases[frames.purchases["customer_id"] == record_id]
    touched = frames.interactions[frames.interactions["customer_id"] == record_id]
    channels = touched["channel"].astype(str).value_counts().sort_index()
    return Inputs(purchases=len(bought),
                  purchase_total=float(pd.to_numeric(bought["amount"]).fillna(0.0).sum()),
                  purchase_occasions=int(mine.get("purchase_count") or 0),
                  interactions_by_channel={str(k): int(v) for k, v in channels.items()})


def _score(name: str, trait: str, value_trait: str, mine: Mapping[str, Any], traits: Traits, *,
           higher_is_better: bool) -> Score:
    buyers = [t for t in traits.values() if (t.get("purchase_count") or 0) > 0]
    score = int(mine.get(trait) or 0)
    value = mine.get(value_trait)
    if score == 0 or value is None:
        return Score(name, score, None, None, len(buyers), None, None)
    sign = 1.0 if higher_is_better else -1.0
    signed = sign * np.array([float(t.get(value_trait) or 0.0) for t in buyers])
    own = sign * float(value)
    rank = float(np.sum(signed < own)) + (float(np.sum(signed == own)) + 1.0) / 2.0  # mid-rank
    same = [float(t.get(value_trait) or 0.0) for t in buyers if int(t.get(trait) or 0) == score]
    return Score(name, score, float(value), round((rank - 0.5) / len(buyers), 3), len(buyers),
                 min(same), max(same))


def _rfm(mine: Mapping[str, Any], traits: Traits, settings: EnrichmentSettings) -> Rfm:
    recency = _score("recency", "r_score", "days_since_last_purchase", mine, traits,
                     higher_is_better=False)
    frequency = _score("frequency", "f_score", "purchase_count", mine, traits,
                       higher_is_better=True)
    monetary = _score("monetary", "m_score", "historical_value", mine, traits,
                      higher_is_better=True)
    segment = str(mine.get("rfm_segment") or NO_PURCHASE_SEGMENT)
    if recency.score == 0:
        return Rfm(recency, frequency, monetary, 0, segment, (),
                   f"{segment}: no purchase yet, so no RFM scores")
    fm = int(fm_scores(frequency.score, monetary.score))
    row = tuple(settings.rfm.grid[recency.score])
    reason = (f"{segment}: R {recency.score} ({_fifth(recency)}, last purchase "
              f"{_number(recency.value)} days ago; R {recency.score} went to buyers "
              f"{_number(recency.same_score_min)}-{_number(recency.same_score_max)} days "
              f"since their last purchase), F {frequency.score} ({_number(frequency.value)} "
              f"purchase occasions), M {monetary.score} (historical value "
              f"{_number(monetary.value)}); FM = round((F + M) / 2) = {fm}, and the grid's row "
              f"R {recency.score} gives {' / '.join(row)} for FM 1-5, so FM {fm} is "
              f"{row[fm - 1]}")
    return Rfm(recency, frequency, monetary, fm, segment, row, reason)


def _fifth(score: Score) -> str:
    percentile = score.percentile if score.percentile is not None else 0.0
    return (f"more recent than {percentile:.0%} of {score.buyers} buyers"
            if score.name == "recency" else f"percentile {percentile:.0%}")


def _number(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.2f}"


def _days_between(later: datetime, earlier: Any) -> int | None:
    if not isinstance(earlier, date):
        return None
    return (later.date() - earlier).days


def _stage(record_id: str, mine: Mapping[str, Any], frames: EnrichmentInput,
           settings: EnrichmentSettings, as_of: datetime) -> Stage:
    rules = settings.lifecycle
    stage = str(mine.get("lifecycle_stage"))
    count = int(mine.get("purchase_count") or 0)
    idle = mine.get("days_since_last_purchase")
    p_alive = mine.get("p_alive")
    touched = frames.interactions[frames.interactions["customer_id"] == record_id]
    opted_out = bool(latest_is_negative(touched, settings.engagement).any())
    thresholds: dict[str, float] = {}
    found: list[str] = []
    if stage in ("reach", "engagement"):
        thresholds["engaged_days"] = rules.engaged_days
        touch = _days_between(as_of, mine.get("last_interaction_date"))
        found.append("never bought")
        found.append(f"last engaging interaction {touch} days ago <= engaged_days "
                     f"{rules.engaged_days}" if stage == "engagement" else
                     f"no engaging interaction in the last engaged_days {rules.engaged_days}")
    elif stage == "lapsed":
        thresholds["lapsed_days"] = rules.lapsed_days
        found.append(f"days since last purchase {idle} > lapsed_days {rules.lapsed_days}")
    elif stage == "decline":
        thresholds.update(decline_days=rules.decline_days, decline_p_alive=rules.decline_p_alive)
        if idle is not None and idle > rules.decline_days:
            found.append(f"days since last purchase {idle} > decline_days {rules.decline_days}")
        if p_alive is not None and p_alive < rules.decline_p_alive:
            found.append(f"P(alive) {p_alive:.3f} < decline_p_alive {rules.decline_p_alive}")
        if opted_out and rules.opt_out_is_decline:
            found.append("the latest interaction weighs negative (an unsubscribe or a bounce) "
                         "and opt_out_is_decline is on")
    else:
        thresholds.update(decline_days=rules.decline_days,
                          retention_min_purchases=rules.retention_min_purchases,
                          loyalty_min_purchases=rules.loyalty_min_purchases)
        found.append(f"days since last purchase {idle} <= decline_days {rules.decline_days}")
        limit = {"loyalty": ("loyalty_min_purchases", rules.loyalty_min_purchases, ">="),
                 "retention": ("retention_min_purchases", rules.retention_min_purchases, ">=")
                 }.get(stage, ("retention_min_purchases", rules.retention_min_purchases, "<"))
        found.append(f"purchase occasions {count} {limit[2]} {limit[0]} {limit[1]}")
    reason = f"{stage}: " + "; ".join(found)
    return Stage(stage, tuple(found), thresholds, reason)


def _leaves(rule: Rule) -> Iterator[Condition]:
    if isinstance(rule, AllRule):
        for part in rule.all:
            yield from _leaves(part)
    elif isinstance(rule, AnyRule):
        for part in rule.any:
            yield from _leaves(part)
    elif isinstance(rule, NotRule):
        yield from _leaves(rule.not_)
    else:
        yield rule


def _segments(record_id: str, mine: Mapping[str, Any], frames: EnrichmentInput,
              settings: EnrichmentSettings, as_of: datetime) -> tuple[SegmentMatch, ...]:
    if not settings.segments:
        return ()
    customers = frames.customers
    record = customers[customers["id"] == record_id].reset_index(drop=True)
    values = pd.DataFrame([dict(mine)])
    table = record.drop(columns=[c for c in values.columns if c in record.columns]).join(values)
    stamp = pd.Timestamp(as_of).tz_convert("UTC")
    if "birthdate" in table.columns and "age" not in table.columns:
        table["age"] = age_in_years(table["birthdate"], stamp)
    found = []
    for segment in settings.segments:
        clauses = tuple(
            Clause(field=leaf.field, operator=leaf.operator,
                   operand=_operand(leaf.operand) if leaf.field in TRAITS else None,
                   value=mine.get(leaf.field) if leaf.field in TRAITS else None,
                   matched=bool(evaluate_rule(leaf, table, stamp, segment=segment.name)[0]))
            for leaf in _leaves(segment.rule))
        matched = bool(evaluate_rule(segment.rule, table, stamp, segment=segment.name)[0])
        found.append(SegmentMatch(segment.name, matched, clauses))
    return tuple(found)


def _operand(operand: Any) -> str:
    if isinstance(operand, list | tuple):
        return ", ".join(str(item) for item in operand)
    return str(operand)


def _value(mine: Mapping[str, Any], report: Mapping[str, Any], source: str,
           settings: EnrichmentSettings) -> ValueModel:
    model = report.get("model")
    vm = settings.value_model
    return ValueModel(
        source=source, model=model, chosen_by=report.get("chosen_by"),
        fitted_at=None if report.get("fitted_at") is None else str(report.get("fitted_at")),
        params=dict(report.get("params") or {}),
        value_traits_written=bool(report.get("value_traits_written")),
        reasons=tuple(report.get("reasons") or ()), horizon_days=vm.horizon_days,
        annual_discount_rate=vm.annual_discount_rate,
        p_alive=mine.get("p_alive"), expected_purchases=mine.get("expected_purchases"),
        clv=mine.get("clv"), clv_p10=mine.get("clv_p10"), clv_p90=mine.get("clv_p90"))


def _field(trait: str, mapping: FieldMapping, mine: Mapping[str, Any],
           row: WriteRow | None) -> FieldWrite:
    return FieldWrite(trait=trait, field=mapping.field, value=mine.get(trait),
                      last_written=None if row is None else row.new,
                      run_id=None if row is None else row.run_id,
                      written_at=None if row is None else row.written_at)


def _trend_line(trend: Trend) -> str:
    since = (f"; stage since {trend.stage_since.isoformat()}"
             if trend.stage_since is not None else "")
    if trend.clv_change_90d is None:
        return f"value trend: none (no CLV now or 90 days ago to compare){since}"
    return (f"value trend: {trend.value_trend} (CLV {trend.clv_change_90d:+.1%} against 90 days "
            f"ago; stable within ±{trend.band:.0%}){since}")


def explanation_lines(explanation: Explanation) -> list[str]:
    """The explanation as lines of text for the terminal."""
    e, v = explanation, explanation.value
    channels = ", ".join(f"{n} {c}" for c, n in e.inputs.interactions_by_channel.items())
    lines = [
        f"{e.module} {e.record_id}, as of {e.as_of.isoformat()}",
        f"inputs: {e.inputs.purchases} purchases totalling {_number(e.inputs.purchase_total)} "
        f"({e.inputs.purchase_occasions} occasions); interactions: {channels or 'none'}",
        f"RFM {e.rfm.recency.score}{e.rfm.frequency.score}{e.rfm.monetary.score}, segment "
        f"{e.rfm.reason}",
        f"lifecycle stage {e.lifecycle.reason}",
    ]
    for segment in e.segments:
        lines.append(f"rule segment {segment.name}: {'matched' if segment.matched else 'no'}")
        lines += [f"  {c.field} {c.operator} {c.operand if c.operand is not None else '(set)'}"
                  f": {'true' if c.matched else 'false'}"
                  + (f" (value {c.value})" if c.value is not None else "")
                  for c in segment.clauses]
    params = "; ".join(f"{name} " + " ".join(f"{k}={x:.4g}" for k, x in values.items()
                                              if isinstance(x, float))
                       for name, values in v.params.items() if isinstance(values, dict))
    lines.append(f"value model ({v.source}): {v.model or 'none'}"
                 + (f" chosen by {v.chosen_by}, fitted at {v.fitted_at}; {params}"
                    if v.model else f" ({'; '.join(v.reasons)})"))
    lines.append(f"over {v.horizon_days} days at {v.annual_discount_rate:.0%} a year: "
                 f"P(alive) {_number(v.p_alive)}, expected purchases "
                 f"{_number(v.expected_purchases)}, CLV {_number(v.clv)} (P10 "
                 f"{_number(v.clv_p10)}, P90 {_number(v.clv_p90)})")
    lines.append(_trend_line(e.trend))
    for write in e.fields:
        last = (f"last written {write.last_written} by run {write.run_id}"
                if write.run_id is not None else "never written")
        lines.append(f"{write.field} ({write.trait}): now {write.value}; {last}")
    return lines
