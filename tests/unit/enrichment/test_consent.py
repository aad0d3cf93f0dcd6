"""E-mail consent from Mailchimp rows, and clicks weighing above opens."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd

from enrichment import EnrichmentSettings, compute_traits
from enrichment.consent import email_consent
from enrichment.engagement import engagement_scores

AS_OF = datetime(2026, 12, 3, tzinfo=UTC)


def _rows(*rows: tuple[str, str, str, str]) -> pd.DataFrame:
    return pd.DataFrame({
        "customer_id": [r[0] for r in rows],
        "occurred_at": pd.to_datetime([r[1] for r in rows], utc=True),
        "channel": [r[2] for r in rows], "kind": [r[3] for r in rows]})


def test_consent_is_the_latest_status_made_unsubscribed_by_a_later_unsubscribe() -> None:
    rows = _rows(("a", "2026-01-01", "audience", "subscribed"),
                 ("b", "2026-01-01", "audience", "subscribed"),
                 ("b", "2026-02-01", "campaign", "unsubscribe"),
                 ("c", "2026-01-01", "audience", "unsubscribed"),
                 ("c", "2026-03-01", "audience", "subscribed"),  # opted in again
                 ("d", "2026-01-01", "audience", "cleaned"),
                 ("e", "2026-01-01", "audience", "subscribed"),
                 ("e", "2026-02-01", "audience", "archived"),  # says nothing on consent
                 ("f", "2026-01-01", "campaign", "open"))
    ids = pd.Series(list("abcdefg"))
    assert email_consent(rows, ids).tolist() == [
        "subscribed", "unsubscribed", "subscribed", "cleaned", "subscribed", "never", "never"]


def test_an_unsubscribe_at_the_same_second_as_a_subscribe_wins() -> None:
    rows = _rows(("a", "2026-01-01", "campaign", "unsubscribe"),
                 ("a", "2026-01-01", "audience", "subscribed"))
    assert email_consent(rows, pd.Series(["a"])).tolist() == ["unsubscribed"]


def test_clicks_weigh_above_opens_and_sends_not_at_all() -> None:
    settings = EnrichmentSettings().engagement
    rows = _rows(("opener", "2026-12-01", "campaign", "open"),
                 ("clicker", "2026-12-01", "campaign", "click"),
                 ("sent", "2026-12-01", "campaign", "sent"),
                 ("member", "2026-12-01", "audience", "subscribed"))
    scores = engagement_scores(rows, settings, int(pd.Timestamp(AS_OF).value))
    assert scores["clicker"] > scores["opener"] > 0
    assert scores["sent"] == scores["member"] == 0


def test_traits_carry_consent_and_membership_is_no_touch() -> None:
    customers = pd.DataFrame({"id": ["a", "b"]})
    purchases = pd.DataFrame({"customer_id": pd.Series(dtype="string"),
                              "occurred_at": pd.Series(dtype="datetime64[ns, UTC]"),
                              "amount": pd.Series(dtype="float64")})
    rows = _rows(("a", "2026-11-01", "audience", "unsubscribed"),
                 ("b", "2026-11-01", "campaign", "click"))
    traits = compute_traits(customers, purchases, rows, EnrichmentSettings(),
                            as_of=AS_OF).set_index("id")
    assert traits.loc["a", "email_consent"] == "unsubscribed"
    assert bool(traits.loc["a", "email_opt_out"]) is True
    assert traits.loc["a", "last_interaction_date"] is None
    assert (traits.loc["b", "email_consent"], bool(traits.loc["b", "email_opt_out"])) == (
        "never", False)
