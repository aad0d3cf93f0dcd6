"""The report page: one self-contained HTML file with inline SVG charts and print styles."""

from __future__ import annotations

from html import escape

from enrichment.value_report import report_lines
from sync.report.charts import (
    PALETTE,
    Bar,
    Line,
    column_chart,
    funnel_chart,
    horizontal_bars,
    line_chart,
    number,
)
from sync.report.colors import segment_color, stage_color
from sync.report.model import CallRow, ReportData

__all__ = ["CHART_IDS", "render_report"]

CHART_IDS = ("segments", "lifecycle", "value", "churn", "trend", "call", "model", "movements",
             "runs")
_FUNNEL = ("reach", "engagement", "purchase", "retention", "loyalty")
_RISK_COLORS = ("#059669", "#65a30d", "#ca8a04", "#ea580c", "#dc2626")
_TREND_COLORS = {"rising": "#059669", "stable": "#6b7280", "falling": "#dc2626"}
_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;color:#111827;margin:0;
background:#f3f4f6}
main{max-width:820px;margin:0 auto;padding:24px}
header h1{margin:0 0 4px;font-size:26px}
header p{margin:0;color:#4b5563}
.kpis{display:flex;gap:12px;margin:18px 0;flex-wrap:wrap}
.kpi{background:#fff;border-radius:8px;padding:12px 16px;flex:1;min-width:150px;
box-shadow:0 1px 2px rgba(0,0,0,.06)}
.kpi b{display:block;font-size:22px}
.kpi span{color:#6b7280;font-size:13px}
section{background:#fff;border-radius:8px;padding:16px 20px;margin:14px 0;
box-shadow:0 1px 2px rgba(0,0,0,.06);break-inside:avoid}
section h2{margin:0 0 4px;font-size:18px}
section p.note{margin:0 0 10px;color:#6b7280;font-size:13px}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #e5e7eb}
td.num,th.num{text-align:right}
@media print{body{background:#fff}main{padding:0}section,.kpi{box-shadow:none;
border:1px solid #d1d5db}}
"""


def _money(data: ReportData, value: float) -> str:
    text = number(value)
    return f"{text} {data.currency}".strip()


def _clv(data: ReportData) -> str:
    """What "predicted" means: ``predicted value (CLV, 365 days ahead, discounted 10% a
    year, as of 2026-11-23)``."""
    terms = data.clv_terms
    if terms is None:
        return "predicted value (CLV)"
    return (f"predicted value (CLV, {terms.horizon_days} days ahead, discounted "
            f"{terms.annual_discount_rate:.0%} a year, as of {terms.as_of})")


def _in(data: ReportData) -> str:
    """`` in EUR`` when the currency is known, else nothing."""
    return f" in {data.currency}" if data.currency else ""


def _section(chart_id: str, title: str, note: str, body: str) -> str:
    return (f'<section id="{chart_id}"><h2>{escape(title)}</h2>'
            f'<p class="note">{escape(note)}</p>{body}</section>')


def _segments(data: ReportData) -> str:
    rows = sorted(data.segments, key=lambda s: s.customers, reverse=True)
    bars = [Bar(s.name, s.customers,
                f"{number(s.customers)} · {_money(data, s.historical_value)} spent · "
                f"{_money(data, s.predicted_value)} predicted", segment_color(s.name))
            for s in rows]
    return _section("segments", "Segments", "Customers per RFM segment, with what they spent "
                    f"and their {_clv(data)}{_in(data)}.",
                    horizontal_bars(bars, title="Customers per segment", width=760))


def _lifecycle(data: ReportData) -> str:
    counts = {s.stage: s.customers for s in data.lifecycle}
    order = [*_FUNNEL, *sorted(set(counts) - set(_FUNNEL))]
    bars = [Bar(stage, counts.get(stage, 0), number(counts.get(stage, 0)),
                stage_color(stage)) for stage in order if stage in counts
            or stage in _FUNNEL]
    funnel = funnel_chart([b for b in bars if b.label in _FUNNEL], title="Lifecycle funnel")
    outside = [b for b in bars if b.label not in _FUNNEL]
    extra = horizontal_bars(outside, title="Declining and lapsed customers") if outside else ""
    return _section("lifecycle", "Lifecycle", "From first reach to loyalty; below, the "
                    "customers slipping away.", funnel + extra)


def _not_trusted(data: ReportData, chart_id: str, title: str) -> str:
    reasons = "; ".join((data.value_model or {}).get("reasons") or [])
    return _section(chart_id, title, "Not shown: the value model is not trusted, so value "
                    f"and churn traits are not written ({reasons}).", "")


def _value_model(data: ReportData) -> str:
    report = data.value_model
    if report is None:
        return _section("model", "Value model", "No value model fitted yet.", "")
    lines = [escape(line) for line in report_lines(report)]
    body = "<ul>" + "".join(f"<li>{line}</li>" for line in lines) + "</ul>"
    check = report.get("backtest") or {}
    buckets = check.get("buckets") or []
    if buckets:
        bars = []
        for bucket in buckets:
            bars.append(Bar(f"{bucket['frequency']} repeat: actual", bucket["actual"],
                            number(bucket["actual"], decimals=2), PALETTE[9]))
            bars.append(Bar(f"{bucket['frequency']} repeat: predicted", bucket["predicted"],
                            number(bucket["predicted"], decimals=2), PALETTE[0]))
        body += horizontal_bars(bars, title="Hold-out purchases per customer, by "
                                "calibration repeat purchases", label_width=200)
    weeks = check.get("tracking") or []
    if weeks:
        body += line_chart(
            [Line("actual", tuple(w["actual"] for w in weeks), PALETTE[9]),
             Line("predicted", tuple(w["predicted"] for w in weeks), PALETTE[0])],
            title="Cumulative repeat purchases in the hold-out, week by week", x_label="week")
    return _section("model", "Value model", "Which model computed CLV and churn risk, "
                    "when, and how it predicted a hold-out period it was not fitted on "
                    "(mean purchases per customer by calibration frequency, then the "
                    "cumulative total week by week; actual in grey, predicted in blue).", body)


def _value(data: ReportData) -> str:
    if not data.value_written:
        return _not_trusted(data, "value", "Customer value by decile")
    bars = [Bar(b.label, b.value, _money(data, b.value), PALETTE[0]) for b in data.value_deciles]
    return _section("value", "Customer value by decile", f"The {_clv(data)}{_in(data)} "
                    "per customer decile (1 = lowest tenth): most value sits in the top "
                    "deciles.",
                    column_chart(bars, title="Predicted value per decile"))


def _churn(data: ReportData) -> str:
    if not data.value_written:
        return _not_trusted(data, "churn", "Churn risk")
    last = max(len(data.churn_bands) - 1, 1)
    bars = [Bar(b.label, b.customers, f"{number(b.customers)} · {_money(data, b.value)}",
                _RISK_COLORS[round(i * (len(_RISK_COLORS) - 1) / last)])
            for i, b in enumerate(data.churn_bands)]
    chart = horizontal_bars(bars, title="Churn risk bands")
    return _section("churn", "Churn risk", "Buyers per churn-risk band (lowest risk first), "
                    f"and the {_clv(data)}{_in(data)} at stake in each; customers who never "
                    "bought have no churn risk.", chart)


def _trend(data: ReportData) -> str:
    if not data.value_written:
        return _not_trusted(data, "trend", "Value trend")
    bars = [Bar(b.label, b.customers, f"{number(b.customers)} · {_money(data, b.value)}",
                _TREND_COLORS[b.label]) for b in data.value_trends]
    chart = (horizontal_bars(bars, title="Value trend") if bars else
             '<p class="note">No trend yet: it compares each CLV with the one kept 90 days '
             "before, so it appears once SuitePulse has run for 90 days.</p>")
    return _section("trend", "Value trend", "Buyers whose predicted value (CLV) rose, held or "
                    f"fell over the last 90 days, and their {_clv(data)}{_in(data)} now.",
                    chart)


def _movements(data: ReportData) -> str:
    rows = sorted(data.movements, key=lambda m: m.customers, reverse=True)[:12]
    bars = [Bar(f"{m.from_stage or 'new'} → {m.to_stage}", m.customers, number(m.customers),
                stage_color(m.to_stage)) for m in rows]
    chart = (horizontal_bars(bars, title="Stage movements", label_width=230) if bars else
             '<p class="note">No customer changed stage in this time: stages are compared '
             "from one run to the next.</p>")
    return _section("movements", "Recent stage movements",
                    f"Customers who changed lifecycle stage in the last {data.movement_days} "
                    "days.", chart)


def _call_table(data: ReportData, rows: list[CallRow], figure: str) -> str:
    if not rows:
        return '<p class="note">No customer yet.</p>'
    body = "".join(
        f'<tr><td><a href="{escape(row.url)}">{escape(row.record_id)}</a></td>'
        f"<td>{escape(row.segment)}</td><td>{escape(row.stage)}</td>"
        f'<td class="num">{_money(data, row.clv)}</td>'
        f'<td class="num">{row.churn_risk:.0%}</td>'
        f'<td class="num">{_money(data, row.value_at_risk)}</td>'
        f'<td class="num">{_money(data, row.potential_value)}</td></tr>'
        for row in rows)
    return (f"<h3>{escape(figure)}</h3><table><thead><tr><th>record (opens SuiteCRM)</th>"
            '<th>segment</th><th>stage</th><th class="num">CLV</th>'
            '<th class="num">churn risk</th><th class="num">value at risk</th>'
            f'<th class="num">potential value</th></tr></thead><tbody>{body}</tbody></table>')


def _who_to_call(data: ReportData) -> str:
    body = (_call_table(data, data.call_at_risk, "Most value at risk (CLV × churn risk)")
            + _call_table(data, data.call_potential, "Most potential value"))
    return _section("call", "Who to call",
                    f"The buyers whose {_clv(data)} times churn risk is highest, and the "
                    "customers with the most potential value (how far "
                    "their CLV is below that of the best customers). Each record id opens "
                    "the customer in SuiteCRM; this file holds no names or addresses.", body)


def _runs(data: ReportData) -> str:
    if not data.runs:
        return _section("runs", "Last runs", "Sync, enrichment and push runs.",
                        '<p class="note">No runs yet.</p>')
    rows = "".join(
        f"<tr><td>{escape(r.run_id)}</td><td>{escape(r.kind)}</td>"
        f"<td>{r.started_at:%Y-%m-%d %H:%M} UTC</td><td>{escape(r.outcome)}</td>"
        f'<td class="num">{number(r.records)}</td><td class="num">{number(r.writes)}</td></tr>'
        for r in data.runs
    )
    table = ("<table><thead><tr><th>run</th><th>kind</th><th>started</th><th>outcome</th>"
             '<th class="num">records</th><th class="num">writes</th></tr></thead>'
             f"<tbody>{rows}</tbody></table>")
    return _section("runs", "Last runs", "Sync, enrichment and push runs, newest first.", table)


def render_report(data: ReportData) -> str:
    """The whole report as one HTML document that needs no network to open."""
    predicted = sum(s.predicted_value for s in data.segments)
    kpis = (
        f'<div class="kpi"><b>{number(data.customers)}</b><span>customers</span></div>'
        f'<div class="kpi"><b>{_money(data, predicted)}</b><span>{escape(_clv(data))}</span></div>'
        f'<div class="kpi"><b>{number(data.at_risk_customers)}</b>'
        "<span>at high churn risk (60% or more)</span></div>"
    )
    parts = (_segments, _lifecycle, _value, _churn, _trend, _who_to_call, _value_model,
             _movements, _runs)
    body = "".join(part(data) for part in parts)
    return (
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>SuitePulse report: {escape(data.client)}</title><style>{_STYLE}</style>"
        f"</head><body><main><header><h1>SuitePulse report: {escape(data.client)}</h1>"
        f"<p>Generated {data.generated_at:%Y-%m-%d %H:%M} UTC</p>"
        f"{f'<p>{escape(data.retention)}</p>' if data.retention else ''}</header>"
        f'<div class="kpis">{kpis}</div>{body}</main></body></html>\n'
    )
