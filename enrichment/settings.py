"""Settings of the enrichment: which records are purchases, and how traits are computed."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from enrichment.rule_language import Rule

__all__ = [
    "DEFAULT_KIND_WEIGHTS",
    "DEFAULT_RFM_GRID",
    "AsOf",
    "Channel",
    "CustomerEntity",
    "EngagementSettings",
    "EnrichmentSettings",
    "Granularity",
    "LifecycleSettings",
    "ModelChoice",
    "PurchaseSettings",
    "RfmSettings",
    "RuleSegment",
    "TimeUnit",
    "ValueModelSettings",
]


class AsOf(StrEnum):
    """Where the observation window of a run ends: the start of the day or of the hour."""

    DAY = "day"
    HOUR = "hour"


class CustomerEntity(StrEnum):
    """The SuiteCRM module whose records are the customers."""

    CONTACTS = "Contacts"
    ACCOUNTS = "Accounts"


class Granularity(StrEnum):
    """How purchase timestamps are grouped into purchase occasions before modelling."""

    DAY = "day"
    HOUR = "hour"
    EXACT = "exact"


class TimeUnit(StrEnum):
    """The unit of recency, T and the fitted scale parameters."""

    DAY = "day"
    WEEK = "week"


class ModelChoice(StrEnum):
    """The purchase model of customer value; ``auto`` picks one by a hold-out test."""

    AUTO = "auto"
    BGNBD = "bgnbd"
    MBGNBD = "mbgnbd"
    PNBD = "pnbd"


class PurchaseSettings(BaseModel):
    """Which SuiteCRM records count as purchases, and where their fields are.

    The default is Closed Won opportunities; for AOS invoices use module ``AOS_Invoices``,
    ``amount_field: total_amount``, ``date_field: invoice_date``, ``status_field: status`` and
    ``won_values: [Paid]``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    module: str = Field("Opportunities", min_length=1)
    amount_field: str = Field("amount", min_length=1)
    date_field: str = Field("date_closed", min_length=1)
    status_field: str | None = Field("sales_stage", description="None: every record counts.")
    won_values: list[str] = Field(default_factory=lambda: ["Closed Won"])
    currency_field: str | None = "currency_id"
    customer_field: str = Field(
        "account_id", min_length=1, description="The field that holds the customer's id."
    )
    from_web_orders: bool = Field(
        False, description="Web shop orders (Matomo e-commerce orders of a known person) "
        "count as purchases too, each orderId once.")


class ValueModelSettings(BaseModel):
    """The customer value model (a purchase model + Gamma-Gamma): which model, horizon,
    discounting, time scale, and when value traits are trusted enough to be written.

    ``model``: ``bgnbd``, ``mbgnbd``, ``pnbd`` or ``auto`` (the one with the best hold-out
    log-likelihood on a calibration/hold-out split of ``holdout_weeks``; by default a third
    of the history). Value traits are left empty when fewer than ``min_repeat_buyers``
    customers bought twice, when the model predicts the hold-out worse than the naive
    forecast, or when the fit is degenerate. ``interval_draws`` parameter sets drawn from the
    fit's sampling distribution give the P10/P90 bands (0: none).

    ``granularity`` defaults to ``exact``: every distinct purchase timestamp is one purchase
    occasion. Merging all purchases of a day (``day``, the habit of many BTYD tools) lowers the
    repeat count of frequent buyers and so biases the fitted purchase rate (r/alpha) down and
    the dropout estimates with it. Rows that share one timestamp (lines of one order) are still
    one occasion, and CRM dates without a time of day (``date_closed``, ``invoice_date``) make
    ``exact`` and ``day`` the same there.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    horizon_days: int = Field(365, ge=1, le=3650, description="How far ahead value is predicted.")
    annual_discount_rate: float = Field(
        0.10, ge=0, lt=1, description="Yearly rate that discounts future purchases."
    )
    time_unit: TimeUnit = TimeUnit.DAY
    granularity: Granularity = Granularity.EXACT
    potential_percentile: float = Field(
        90, gt=0, lt=100,
        description="Potential value is the gap to this CLV percentile of comparable customers.",
    )
    model: ModelChoice = ModelChoice.AUTO
    min_repeat_buyers: int = Field(
        100, ge=0, description="Fewer repeat buyers than this: value traits are not written.")
    holdout_weeks: int | None = Field(
        None, ge=1, le=520, description="Hold-out of the model check (default: a third).")
    interval_draws: int = Field(
        100, ge=0, le=5000, description="Parameter draws for the P10/P90 bands (0: none).")


class RfmSettings(BaseModel):
    """RFM segment names: ``grid[R]`` lists the names for FM = 1..5 (FM = round((F+M)/2))."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    grid: dict[int, list[str]] = Field(default_factory=lambda: dict(DEFAULT_RFM_GRID))

    @field_validator("grid")
    @classmethod
    def _complete(cls, grid: dict[int, list[str]]) -> dict[int, list[str]]:
        if sorted(grid) != [1, 2, 3, 4, 5]:
            raise ValueError("the grid needs one row for each R score 1, 2, 3, 4 and 5")
        for score, names in grid.items():
            if len(names) != 5 or not all(name.strip() and len(name) <= 60 for name in names):
                raise ValueError(f"row {score} needs five non-empty names (FM = 1..5), "
                                 "each at most 60 characters")
        return grid


DEFAULT_RFM_GRID: dict[int, list[str]] = {
    5: ["New", "Potential Loyalist", "Potential Loyalist", "Loyal", "Champions"],
    4: ["Promising", "Potential Loyalist", "Potential Loyalist", "Loyal", "Champions"],
    3: ["About to Sleep", "About to Sleep", "Need Attention", "Loyal", "Loyal"],
    2: ["Hibernating", "Hibernating", "At Risk", "At Risk", "Can't Lose Them"],
    1: ["Lost", "Lost", "Hibernating", "At Risk", "Can't Lose Them"],
}


class LifecycleSettings(BaseModel):
    """Thresholds of the lifecycle stages (see ``enrichment.lifecycle``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    engaged_days: int = Field(90, ge=1, description="Interactions this recent mean engagement.")
    retention_min_purchases: int = Field(2, ge=2)
    loyalty_min_purchases: int = Field(5, ge=2)
    decline_days: int = Field(180, ge=1, description="No purchase for this long: decline.")
    lapsed_days: int = Field(365, ge=1, description="No purchase for this long: lapsed.")
    decline_p_alive: float = Field(
        0.3, ge=0, le=1, description="A buyer less likely alive than this is in decline.")
    opt_out_is_decline: bool = Field(
        True, description="A buyer whose latest interaction weighs negative (an unsubscribe, "
        "a bounce) is in decline.")

    @model_validator(mode="after")
    def _ordered(self) -> LifecycleSettings:
        if self.lapsed_days <= self.decline_days:
            raise ValueError("lapsed_days must be greater than decline_days")
        if self.loyalty_min_purchases < self.retention_min_purchases:
            raise ValueError("loyalty_min_purchases must be at least retention_min_purchases")
        return self


Channel = Literal["email", "campaign", "web"]

DEFAULT_KIND_WEIGHTS: dict[Channel, dict[str, float]] = {
    "email": {"received": 1.0, "sent": 0.5, "replied": 2.0},
    "campaign": {"sent": 0.0, "open": 0.3, "click": 1.0, "bounce": -0.5, "bounce_hard": -0.5,
                 "bounce_soft": -0.5, "unsubscribe": -3.0},
    "web": {"visit": 1.0, "goal": 2.0, "order": 3.0},
}


class EngagementSettings(BaseModel):
    """The engagement score: recency-weighted interactions (see ``enrichment.engagement``).

    ``weights[channel][kind]`` weighs one interaction of that kind (negative: it lowers the
    score, e.g. a bounce or an unsubscribe); a kind the table does not name weighs its
    channel's ``channel_weights`` entry. Tables given in the config replace a channel's
    defaults as a whole.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    half_life_days: float = Field(30, gt=0, le=3650)
    saturation: float = Field(
        5, gt=0, description="Weighted interactions that give a score of 63 (1 - 1/e).")
    channel_weights: dict[Channel, float] = Field(
        default_factory=lambda: {"email": 1.0, "campaign": 0.5, "web": 1.0},  # type: ignore[arg-type]
        description="The weight of an interaction whose kind ``weights`` does not name.",
    )
    weights: dict[Channel, dict[str, float]] = Field(
        default_factory=lambda: {c: dict(k) for c, k in DEFAULT_KIND_WEIGHTS.items()},
        description="Per channel, the weight of each kind of interaction.",
    )

    @field_validator("channel_weights")
    @classmethod
    def _non_negative(cls, weights: dict[str, float]) -> dict[str, float]:
        if any(weight < 0 for weight in weights.values()):
            raise ValueError("channel weights cannot be negative")
        return weights

    @field_validator("weights")
    @classmethod
    def _defaults_for_the_rest(cls, weights: dict[Channel, dict[str, float]]
                               ) -> dict[Channel, dict[str, float]]:
        for table in weights.values():
            for kind, weight in table.items():
                if not kind.strip() or not -100 <= weight <= 100:
                    raise ValueError(f"kind {kind!r}: a weight is a number from -100 to 100")
        return {**{c: dict(k) for c, k in DEFAULT_KIND_WEIGHTS.items()}, **weights}

    def weight(self, channel: str, kind: str | None) -> float:
        """The weight of one interaction of ``kind`` on ``channel`` (0 for unknown channels)."""
        table = next((t for name, t in self.weights.items() if name == channel), {})
        if kind is not None and kind in table:
            return float(table[kind])
        return next((float(w) for name, w in self.channel_weights.items() if name == channel),
                    0.0)


class RuleSegment(BaseModel):
    """A named segment: customers for whom ``rule`` holds."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=60)
    rule: Rule


class EnrichmentSettings(BaseModel):
    """Everything enrichment needs to know about one client."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    customer_entity: CustomerEntity = CustomerEntity.ACCOUNTS
    as_of: AsOf = AsOf.DAY
    purchases: PurchaseSettings = Field(default_factory=PurchaseSettings)
    value_model: ValueModelSettings = Field(default_factory=ValueModelSettings)
    rfm: RfmSettings = Field(default_factory=RfmSettings)
    lifecycle: LifecycleSettings = Field(default_factory=LifecycleSettings)
    engagement: EngagementSettings = Field(default_factory=EngagementSettings)
    segments: list[RuleSegment] = Field(default_factory=list)
    value_trend_band: float = Field(
        0.10, gt=0, le=10,
        description="value_trend is rising when the CLV grew by more than this fraction in "
                    "90 days, falling when it shrank by more, else stable")

    @field_validator("segments")
    @classmethod
    def _unique_names(cls, segments: list[RuleSegment]) -> list[RuleSegment]:
        names = [segment.name for segment in segments]
        twice = sorted({name for name in names if names.count(name) > 1})
        if twice:
            raise ValueError(f"segment names must be unique; repeated: {', '.join(twice)}")
        return segments
