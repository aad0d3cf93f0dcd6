"""The HTML report: self-contained, every chart present, text escaped."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sync.report import (
    Band,
    Movement,
    ReportData,
    RunRow,
    SegmentRow,
    StageCount,
    render_report,
)
from sync.report.page import CHART_IDS

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def sample() -> ReportData:
    return ReportData(
        client="acme",
        generated_at=NOW,
        customers=1234,
        currency="EUR",
        segments=[SegmentRow("Champions", 120, 98000.0, 45000.5),
                  SegmentRow("Lost", 300, 1200.0, 10.0),
                  SegmentRow("Can't Lose Them <VIP>", 12, 50000.0, 9000.0)],
        lifecycle=[StageCount("reach", 400), StageCount("purchase", 300),
                   StageCount("loyalty", 50), StageCount("lapsed", 90)],
        value_deciles=[Band(str(i), 123, float(i * 100)) for i in range(1, 11)],
        churn_bands=[Band("0–20%", 500, 1000.0), Band("80–100%", 80, 300.0)],
        at_risk_customers=80,
        movements=[Movement("purchase", "retention", 25), Movement("", "reach", 40)],
        runs=[RunRow("r-1", "sync", NOW, NOW, "succeeded", 1234, 0)],
    )


def test_every_chart_is_in_the_report() -> None:
    html = render_report(sample())
    for chart_id in CHART_IDS:
        assert f'<section id="{chart_id}">' in html
    assert html.count("<svg") >= 5


def test_report_needs_no_network() -> None:
    html = render_report(sample())
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert "<script" not in html


def test_figures_and_labels_are_shown_and_escaped() -> None:
    html = render_report(sample())
    assert "1,234" in html
    assert "98,000 EUR spent" in html
    assert "Can&#x27;t Lose Them &lt;VIP&gt;" in html
    assert "<VIP>" not in html
    assert "new → reach" in html
    assert "lapsed" in html


def test_highest_risk_band_is_red_and_counted() -> None:
    html = render_report(sample())
    churn = html[html.index('id="churn"'):html.index('id="movements"')]
    assert 'fill="#dc2626"><title>80–100%' in churn
    assert 'fill="#059669"><title>0–20%' in churn
    assert "<b>80</b><span>at high churn risk" in html


def test_funnel_keeps_the_stage_order() -> None:
    html = render_report(sample())
    funnel = html[html.index('id="lifecycle"'):html.index('id="value"')]
    positions = [funnel.index(f">{stage} ·") for stage in ("reach", "engagement", "purchase",
                                                           "retention", "loyalty")]
    assert positions == sorted(positions)


def test_an_empty_client_still_renders() -> None:
    html = render_report(ReportData(client="new", generated_at=NOW, customers=0))
    assert "No data yet." in html and "No runs yet." in html
