"""The HTML report: self-contained, every chart present, text escaped."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sync.report import (
    Band,
    ClvTerms,
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
        value_trends=[Band("rising", 70, 21000.0), Band("falling", 45, 800.0)],
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


def test_the_value_trend_shows_rising_green_and_falling_red() -> None:
    html = render_report(sample())
    trend = html[html.index('id="trend"'):html.index('id="model"')]
    assert 'fill="#059669"><title>rising' in trend and 'fill="#dc2626"><title>falling' in trend
    assert "45 · 800 EUR" in trend


def test_funnel_keeps_the_stage_order() -> None:
    html = render_report(sample())
    funnel = html[html.index('id="lifecycle"'):html.index('id="value"')]
    positions = [funnel.index(f">{stage} ·") for stage in ("reach", "engagement", "purchase",
                                                           "retention", "loyalty")]
    assert positions == sorted(positions)


def test_an_empty_client_still_renders() -> None:
    html = render_report(ReportData(client="new", generated_at=NOW, customers=0))
    assert "No data yet." in html and "No runs yet." in html


def _fit(written: bool) -> dict[str, object]:
    return {"model": "mbgnbd", "chosen_by": "auto: MBG/NBD has the highest hold-out "
            "log-likelihood", "fitted_at": "2026-11-23T12:00:00+00:00",
            "params": {"model": "mbgnbd", "mbgnbd": {"r": 0.6, "alpha": 8.7, "a": 0.55,
                                                     "b": 1.0, "log_likelihood": -9582.1}},
            "repeat_buyers": 1139 if written else 40, "value_traits_written": written,
            "reasons": [] if written else ["only 40 repeat buyers (min_repeat_buyers is 100)"],
            "problems": [],
            "backtest": {"mae": 0.765, "naive_mae": 0.897, "rmse": 1.2, "naive_rmse": 1.5,
                         "brier": 0.206, "customers": 2357,
                         "buckets": [{"frequency": "0", "customers": 1411, "actual": 0.24,
                                      "predicted": 0.19},
                                     {"frequency": "7+", "customers": 40, "actual": 6.36,
                                      "predicted": 5.85}],
                         "tracking": [{"week": 1, "actual": 50.0, "predicted": 51.0},
                                      {"week": 2, "actual": 106.0, "predicted": 101.0}]}}


def test_the_value_model_its_fit_date_and_backtest_are_shown() -> None:
    data = sample()
    html = render_report(ReportData(**{**vars(data), "value_model": _fit(True)}))
    model = html[html.index('<section id="model">'):]
    model = model[:model.index("</section>")]
    assert "value model: mbgnbd (auto: MBG/NBD" in model and "2026-11-23" in model
    assert "r=0.6 alpha=8.7 a=0.55 b=1" in model
    assert "7+ repeat: predicted" in model and model.count("<svg") == 2
    assert "predicted: 101" in model and "<polyline" in model
    assert "Not shown" not in html


def test_untrusted_value_traits_are_not_charted_and_the_reason_is_named() -> None:
    data = sample()
    html = render_report(ReportData(**{**vars(data), "value_model": _fit(False)}))
    churn = html[html.index('<section id="churn">'):]
    churn = churn[:churn.index("</section>")]
    assert "Not shown" in churn and "only 40 repeat buyers" in churn and "<svg" not in churn
    assert "value traits NOT written: only 40 repeat buyers" in html


def _fill_of(html: str, label: str) -> str:
    found = re.search(rf'fill="(#[0-9a-f]{{6}})"><title>{re.escape(label)}:', html)
    assert found, label
    return found.group(1)


def test_a_segment_keeps_its_colour_whatever_its_rank() -> None:
    first = render_report(sample())
    reordered = ReportData(**{**vars(sample()), "segments": [
        SegmentRow("Lost", 3, 10.0, 1.0), SegmentRow("Hibernating", 900, 5.0, 1.0),
        SegmentRow("Champions", 50, 1.0, 1.0)]})
    second = render_report(reordered)
    assert _fill_of(first, "Lost") == _fill_of(second, "Lost") == "#dc2626"  # red
    assert _fill_of(first, "Champions") == _fill_of(second, "Champions") == "#047857"  # green
    assert _fill_of(second, "Hibernating") not in {"#dc2626", "#047857"}


def test_a_lifecycle_stage_keeps_its_colour() -> None:
    html = render_report(sample())
    other = render_report(ReportData(**{**vars(sample()), "lifecycle": [
        StageCount("lapsed", 900), StageCount("reach", 1)]}))
    assert _fill_of(html, "lapsed") == _fill_of(other, "lapsed") == "#dc2626"
    assert _fill_of(html, "reach") == _fill_of(other, "reach")


def test_every_money_value_names_its_currency_and_the_clv_its_terms() -> None:
    terms = ClvTerms(horizon_days=365, annual_discount_rate=0.1, as_of="2026-11-23")
    html = render_report(ReportData(**{**vars(sample()), "value_model": _fit(True),
                                       "clv_terms": terms}))
    clv = "CLV, 365 days ahead, discounted 10% a year, as of 2026-11-23"
    for chart_id in ("segments", "value", "churn", "trend"):
        section = html[html.index(f'<section id="{chart_id}">'):]
        section = section[:section.index("</section>")]
        assert clv in section, chart_id
        assert f"{clv}) in EUR" in section, chart_id
    kpis = html[html.index('class="kpis"'):html.index("<section")]
    assert "54,010 EUR" in kpis and clv in kpis
    money = re.findall(r"\b\d[\d,]*(?:\.\d+)? (?:spent|predicted)", html)
    assert not money  # every spent/predicted figure is followed by its currency
    assert "9,000 EUR predicted" in html and "800 EUR" in html
