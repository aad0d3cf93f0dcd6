"""What the report shows, as plain data; gathered from the store, rendered by ``page``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

__all__ = ["Band", "ClvTerms", "Movement", "ReportData", "RunRow", "SegmentRow", "StageCount"]


@dataclass(frozen=True)
class SegmentRow:
    """One named segment: how many customers, what they spent and are predicted to spend."""

    name: str
    customers: int
    historical_value: float
    predicted_value: float


@dataclass(frozen=True)
class StageCount:
    """Customers in one lifecycle stage."""

    stage: str
    customers: int


@dataclass(frozen=True)
class Band:
    """A labelled count: one bar of a distribution (value decile, churn-risk band)."""

    label: str
    customers: int
    value: float = 0.0


@dataclass(frozen=True)
class Movement:
    """Customers who moved from one lifecycle stage to another in the recent window."""

    from_stage: str
    to_stage: str
    customers: int


@dataclass(frozen=True)
class RunRow:
    """One run of sync, enrichment or push."""

    run_id: str
    kind: str
    started_at: datetime
    finished_at: datetime | None
    outcome: str
    records: int
    writes: int


@dataclass(frozen=True)
class ClvTerms:
    """What a predicted value (CLV) means: how far ahead, how discounted, as of which day."""

    horizon_days: int
    annual_discount_rate: float
    as_of: str
    """The fit's ``as_of`` date, ``YYYY-MM-DD``."""


@dataclass(frozen=True)
class CallRow:
    """One customer worth a call: the CRM link and figures only, no personal data."""

    record_id: str
    url: str
    """The record's detail view in SuiteCRM."""
    segment: str
    stage: str
    clv: float
    churn_risk: float
    potential_value: float

    @property
    def value_at_risk(self) -> float:
        """Predicted value that churn may take: CLV x churn risk."""
        return self.clv * self.churn_risk


@dataclass(frozen=True)
class ReportData:
    """Everything on one client's report."""

    client: str
    generated_at: datetime
    customers: int
    currency: str = ""
    segments: list[SegmentRow] = field(default_factory=list)
    lifecycle: list[StageCount] = field(default_factory=list)
    value_deciles: list[Band] = field(default_factory=list)
    churn_bands: list[Band] = field(default_factory=list)
    value_trends: list[Band] = field(default_factory=list)
    """Buyers per value trend (rising, stable, falling), with their predicted value."""
    at_risk_customers: int = 0
    movements: list[Movement] = field(default_factory=list)
    movement_days: int = 30
    runs: list[RunRow] = field(default_factory=list)
    value_model: dict[str, Any] | None = None
    """The newest value-model fit's report (``enrichment.customer_model``), as stored."""
    clv_terms: ClvTerms | None = None
    """The horizon, discount rate and date of the CLV shown; None before any value fit."""
    retention: str = ""
    call_at_risk: list[CallRow] = field(default_factory=list)
    """The buyers with the most value at risk (CLV x churn risk), highest first."""
    call_potential: list[CallRow] = field(default_factory=list)
    """The customers with the most potential value, highest first."""
    """The client's retention windows in one line (``PrivacySettings.retention_text``)."""

    @property
    def value_written(self) -> bool:
        """Whether the value traits (CLV, churn risk, ...) were written by the last fit."""
        return self.value_model is None or bool(self.value_model.get("value_traits_written"))
