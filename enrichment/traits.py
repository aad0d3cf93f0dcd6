"""The trait registry: every column ``compute_traits`` returns, with its kind and meaning."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from enrichment.consent import CONSENT_STATES
from enrichment.lifecycle import STAGES
from enrichment.rfm import NO_PURCHASE_SEGMENT
from enrichment.settings import DEFAULT_RFM_GRID, EnrichmentSettings
from enrichment.value_trend import VALUE_TRENDS

__all__ = ["TRAITS", "TraitKind", "TraitSpec", "trait_specs"]


class TraitKind(StrEnum):
    """How a trait is stored: a choice from options, free text, or a number or date."""

    ENUM = "enum"
    TEXT = "text"
    INT = "int"
    FLOAT = "float"
    DATE = "date"
    BOOL = "bool"


@dataclass(frozen=True)
class TraitSpec:
    """A trait's kind, options (enums), decimals (floats), description, the label its CRM
    field gets, and (floats) the least change worth a write: absolute or ``"2%"``."""

    kind: TraitKind
    description: str
    options: tuple[str, ...] = ()
    precision: int | None = None
    label: str = ""
    min_change: str | None = None


def _grid_names(grid: dict[int, list[str]]) -> tuple[str, ...]:
    names = [name for score in (5, 4, 3, 2, 1) for name in grid[score]]
    return (*dict.fromkeys(names), NO_PURCHASE_SEGMENT)


def _money(description: str) -> TraitSpec:
    return TraitSpec(TraitKind.FLOAT, description, precision=2)


TRAITS: dict[str, TraitSpec] = {
    "purchase_count": TraitSpec(TraitKind.INT, "Purchase occasions up to the computation date."),
    "first_purchase_date": TraitSpec(TraitKind.DATE, "Date of the first purchase (UTC)."),
    "last_purchase_date": TraitSpec(TraitKind.DATE, "Date of the last purchase (UTC)."),
    "days_since_last_purchase": TraitSpec(
        TraitKind.INT, "Whole days since the last purchase; empty if never bought."),
    "historical_value": _money("Net value of all purchases minus refunds so far."),
    "avg_order_value": _money("Mean value of a purchase occasion so far; empty if never "
                               "bought."),
    "expected_purchases": TraitSpec(
        TraitKind.FLOAT, "Expected purchases over the value horizon (the purchase model: "
        "BG/NBD, MBG/NBD or Pareto/NBD); empty if never bought or when the model is not "
        "trusted.", precision=3),
    "p_alive": TraitSpec(TraitKind.FLOAT, "Probability the customer still buys; empty if "
                         "never bought or when the model is not trusted.", precision=3),
    "churn_risk": TraitSpec(TraitKind.FLOAT, "1 - p_alive; empty if never bought or when the "
                            "model is not trusted.", precision=3),
    "expected_avg_value": _money("Gamma-Gamma expected value of a future purchase; empty if "
                                  "never bought."),
    "clv": _money("Discounted expected value of purchases over the horizon; empty if never "
                  "bought."),
    "clv_p10": _money("10th percentile of the CLV over the fit's parameter uncertainty."),
    "clv_p90": _money("90th percentile of the CLV over the fit's parameter uncertainty."),
    "potential_value": _money("How far the CLV is below the high percentile of customers "
                              "with the same frequency score."),
    "engagement_score": TraitSpec(
        TraitKind.FLOAT, "0-100 from recency-weighted e-mail, campaign and web activity "
        "(a weight per channel and kind).", precision=1),
    "last_interaction_date": TraitSpec(TraitKind.DATE, "Date of the last engaging e-mail, "
                                       "campaign or web interaction (bounces and "
                                       "unsubscribes do not count)."),
    "r_score": TraitSpec(TraitKind.INT, "RFM recency score 1-5 (0 if never bought)."),
    "f_score": TraitSpec(TraitKind.INT, "RFM frequency score 1-5 (0 if never bought)."),
    "m_score": TraitSpec(TraitKind.INT, "RFM monetary score 1-5 (0 if never bought)."),
    "rfm_score": TraitSpec(TraitKind.TEXT, "The three RFM scores as text, e.g. 545."),
    "rfm_segment": TraitSpec(TraitKind.ENUM, "Named RFM segment from the R x FM grid.",
                             options=_grid_names(DEFAULT_RFM_GRID)),
    "lifecycle_stage": TraitSpec(TraitKind.ENUM, "Lifecycle stage.", options=STAGES),
    "rule_segment": TraitSpec(TraitKind.ENUM, "First rule segment of the client YAML that "
                              "matches; empty if none."),
    "rule_segments": TraitSpec(TraitKind.TEXT, "Every matching rule segment, comma-separated."),
    "email_consent": TraitSpec(TraitKind.ENUM, "E-mail consent from Mailchimp: subscribed, "
                               "unsubscribed, cleaned or never (not a member).",
                               options=CONSENT_STATES),
    "clv_change_90d": TraitSpec(
        TraitKind.FLOAT, "Relative change of the CLV against its value 90 days earlier "
        "(0.25 = +25%); empty without a CLV then or now.", precision=3),
    "value_trend": TraitSpec(TraitKind.ENUM, "rising, stable or falling: the CLV change of 90 "
                             "days beyond enrichment.value_trend_band (default 10%).",
                             options=VALUE_TRENDS),
    "stage_since": TraitSpec(TraitKind.DATE, "Date the current lifecycle stage was first "
                             "computed (UTC)."),
    "email_opt_out": TraitSpec(TraitKind.BOOL, "Opted out of e-mail in Mailchimp "
                               "(unsubscribed or cleaned); written only to set an opt-out."),
}


# The label of each trait's CRM field (a mapping's ``label`` overrides it).
_LABELS = {
    "purchase_count": "Purchases", "first_purchase_date": "First purchase",
    "last_purchase_date": "Last purchase", "days_since_last_purchase": "Days since last purchase",
    "historical_value": "Historical value", "avg_order_value": "Average order value",
    "expected_purchases": "Expected purchases", "p_alive": "Probability active",
    "churn_risk": "Churn risk", "expected_avg_value": "Expected order value",
    "clv": "Customer lifetime value", "clv_p10": "CLV low estimate (P10)",
    "clv_p90": "CLV high estimate (P90)", "potential_value": "Potential value",
    "engagement_score": "Engagement score", "last_interaction_date": "Last interaction",
    "r_score": "RFM recency score", "f_score": "RFM frequency score",
    "m_score": "RFM monetary score", "rfm_score": "RFM score", "rfm_segment": "RFM segment",
    "lifecycle_stage": "Lifecycle stage", "rule_segment": "Segment", "rule_segments": "Segments",
    "email_consent": "E-mail consent", "email_opt_out": "E-mail opt-out",
    "clv_change_90d": "CLV change (90 days)", "value_trend": "Value trend",
    "stage_since": "Stage since",
}
# The least change of a float trait worth rewriting its field (write-back's ``min_change``).
# Values that move only with new data (historical value, average order) have none.
_MIN_CHANGE = {
    "expected_purchases": "0.05", "p_alive": "0.02", "churn_risk": "0.02",
    "expected_avg_value": "2%", "clv": "2%", "clv_p10": "2%", "clv_p90": "2%",
    "potential_value": "2%", "engagement_score": "1", "clv_change_90d": "0.05",
}
TRAITS = {name: replace(spec, label=_LABELS[name], min_change=_MIN_CHANGE.get(name))
          for name, spec in TRAITS.items()}


def trait_specs(settings: EnrichmentSettings) -> dict[str, TraitSpec]:
    """``TRAITS`` with the enum options of one client (its RFM grid and rule segments)."""
    specs = dict(TRAITS)
    specs["rfm_segment"] = replace(specs["rfm_segment"], options=_grid_names(settings.rfm.grid))
    specs["rule_segment"] = replace(specs["rule_segment"],
                                    options=tuple(s.name for s in settings.segments))
    return specs
