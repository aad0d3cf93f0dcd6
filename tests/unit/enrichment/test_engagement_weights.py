"""Engagement weighted per channel and kind, and what the lifecycle takes from it."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime

import pandas as pd
import pytest
from pydantic import ValidationError

from enrichment import EnrichmentSettings, compute_traits
from enrichment.engagement import engagement_scores, interaction_weights, latest_is_negative
from enrichment.settings import EngagementSettings

AS_OF = datetime(2024, 6, 30, tzinfo=UTC)


def _touches(rows: list[tuple[str, str, str, str | None]]) -> pd.DataFrame:
    customer, when, channel, kind = zip(*rows, strict=True)
    return pd.DataFrame({"customer_id": list(customer),
                         "occurred_at": pd.to_datetime(list(when), utc=True),
                         "channel": list(channel), "kind": list(kind)})


def _score(total: float, saturation: float = 5.0) -> float:
    return 100 * (1 - math.exp(-max(total, 0.0) / saturation))


def test_default_weights_rank_kinds_within_each_channel() -> None:
    settings = EngagementSettings()
    w = settings.weight
    assert w("email", "replied") > w("email", "received") > w("email", "sent") > 0
    assert w("campaign", "click") > w("campaign", "open") > 0
    assert w("campaign", "bounce") < 0 and w("campaign", "unsubscribe") < w("campaign", "bounce")
    assert w("web", "order") > w("web", "goal") > w("web", "visit") > 0
    assert w("web", "scroll") == settings.channel_weights["web"]  # an unnamed kind
    assert w("sms", "text") == 0.0


def test_score_by_hand_with_kinds_and_decay() -> None:
    touches = _touches([
        ("a", "2024-06-30", "campaign", "click"), ("a", "2024-05-31", "web", "order"),
        ("b", "2024-06-30", "campaign", "open"), ("b", "2024-06-30", "campaign", "unsubscribe"),
        ("c", "2024-06-30", "email", None)])
    scores = engagement_scores(touches, EngagementSettings(), pd.Timestamp(AS_OF).value)
    assert scores["a"] == pytest.approx(_score(1.0 + 3.0 * 0.5))     # 30 days: half
    assert scores["b"] == 0.0                                         # 0.3 - 3 floors at 0
    assert scores["c"] == pytest.approx(_score(1.0))                  # no kind: channel's


def test_config_replaces_one_channels_table_and_keeps_the_others() -> None:
    settings = EnrichmentSettings.model_validate({"engagement": {"weights": {
        "campaign": {"open": 0.1, "click": 4.0}}}}).engagement
    assert settings.weight("campaign", "click") == 4.0
    assert settings.weight("campaign", "unsubscribe") == settings.channel_weights["campaign"]
    assert settings.weight("web", "goal") == 2.0
    touches = _touches([("a", "2024-06-30", "campaign", "click"),
                        ("a", "2024-06-30", "campaign", "open")])
    assert list(interaction_weights(touches, settings)) == [4.0, 0.1]


@pytest.mark.parametrize("weights", [{"sms": {"text": 1.0}}, {"web": {"visit": 1000.0}},
                                     {"web": {" ": 1.0}}])
def test_bad_weights_are_refused(weights: dict[str, dict[str, float]]) -> None:
    with pytest.raises(ValidationError):
        EngagementSettings.model_validate({"weights": weights})


def test_the_latest_negative_interaction_is_a_churn_signal() -> None:
    touches = _touches([("a", "2024-06-01", "web", "visit"),
                        ("a", "2024-06-20", "campaign", "unsubscribe"),
                        ("b", "2024-06-01", "campaign", "unsubscribe"),
                        ("b", "2024-06-20", "web", "visit")])
    assert latest_is_negative(touches, EngagementSettings()).to_dict() == {"a": True,
                                                                           "b": False}


def _traits(settings: EnrichmentSettings | None = None) -> pd.DataFrame:
    customers = pd.DataFrame({"id": ["buyer", "quit", "bounced", "visitor"]})
    bought = pd.DataFrame({"customer_id": ["buyer", "buyer", "quit", "quit"],
                           "occurred_at": pd.to_datetime(["2024-05-01", "2024-06-01",
                                                          "2024-05-01", "2024-06-01"], utc=True),
                           "amount": [10.0, 20.0, 10.0, 20.0]})
    touches = _touches([("buyer", "2024-06-25", "web", "visit"),
                        ("quit", "2024-06-20", "web", "visit"),
                        ("quit", "2024-06-25", "campaign", "unsubscribe"),
                        ("bounced", "2024-06-28", "campaign", "bounce"),
                        ("visitor", "2024-06-28", "web", "goal")])
    return compute_traits(customers, bought, touches, settings or _settings(),
                          as_of=AS_OF).set_index("id")


def _settings(**lifecycle: object) -> EnrichmentSettings:
    """Two recent purchases: P(alive) is left out of decline, so only the signal counts."""
    return EnrichmentSettings.model_validate({"lifecycle": {"decline_p_alive": 0.0,
                                                            **lifecycle}})


def test_lifecycle_and_last_interaction_use_engaging_interactions_only() -> None:
    result = _traits()
    assert result.loc["quit", "last_interaction_date"] == date(2024, 6, 20)
    assert result.loc["bounced", "last_interaction_date"] is None
    assert result.loc["bounced", "lifecycle_stage"] == "reach"
    assert result.loc["visitor", "lifecycle_stage"] == "engagement"
    assert result.loc["quit", "lifecycle_stage"] == "decline"
    assert result.loc["buyer", "lifecycle_stage"] == "retention"
    kept = _traits(_settings(opt_out_is_decline=False))
    assert kept.loc["quit", "lifecycle_stage"] == "retention"
