"""The trait registry: every column ``compute_traits`` returns, with its kind and meaning."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from enrichment.consent import CONSENT_STATES
from enrichment.lifecycle import STAGES
from enrichment.rfm import NO_PURCHASE_SEGMENT
from enrichment.settings import DEFAULT_RFM_GRID, EnrichmentSettings

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
    """A trait's kind, options (enums), decimals (floats) and description."""

    kind: TraitKind
    description: str
    options: tuple[str, ...] = ()
    precision: int | None = None


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
    "avg_order_value": _money("Mean value of a purchase occasion so far (0 if never bought)."),
    "expected_purchases": TraitSpec(
        TraitKind.FLOAT, "Expected purchases over the value horizon (the purchase model: "
        "BG/NBD, MBG/NBD or Pareto/NBD); empty when the model is not trusted.", precision=3),
    "p_alive": TraitSpec(TraitKind.FLOAT, "Probability the customer still buys (0 if never "
                         "bought); empty when the model is not trusted.", precision=3),
    "churn_risk": TraitSpec(TraitKind.FLOAT, "1 - p_alive for buyers; 0 if never bought; "
                            "empty when the model is not trusted.", precision=3),
    "expected_avg_value": _money("Gamma-Gamma expected value of a future purchase."),
    "clv": _money("Discounted expected value of purchases over the horizon."),
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
    "email_opt_out": TraitSpec(TraitKind.BOOL, "Opted out of e-mail in Mailchimp "
                               "(unsubscribed or cleaned); written only to set an opt-out."),
}


def trait_specs(settings: EnrichmentSettings) -> dict[str, TraitSpec]:
    """``TRAITS`` with the enum options of one client (its RFM grid and rule segments)."""
    specs = dict(TRAITS)
    specs["rfm_segment"] = replace(specs["rfm_segment"], options=_grid_names(settings.rfm.grid))
    specs["rule_segment"] = replace(specs["rule_segment"],
                                    options=tuple(s.name for s in settings.segments))
    return specs
