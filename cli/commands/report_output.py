"""How report figures are shown in the terminal: rich tables, or plain data for ``--json``."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from rich.table import Table

from cli.output import out_console
from sync.report import ReportData
from sync.report.charts import number

__all__ = ["numbers_table", "print_summary_tables", "report_document"]


def report_document(data: ReportData) -> dict[str, Any]:
    """The report's figures as JSON-ready data (ids, counts and sums; no personal data)."""
    document = asdict(data)
    document["generated_at"] = data.generated_at.isoformat()
    for run in document["runs"]:
        run["started_at"] = run["started_at"].isoformat()
        run["finished_at"] = run["finished_at"].isoformat() if run["finished_at"] else None
    return document


def print_summary_tables(data: ReportData) -> None:
    """Customers per segment and lifecycle stage, value deciles and churn-risk bands."""
    segments = numbers_table(f"{number(data.customers)} customers by RFM segment", "segment",
                      "customers", "spent", "predicted value")
    for row in data.segments:
        segments.add_row(row.name, number(row.customers), number(row.historical_value),
                         number(row.predicted_value))
    stages = numbers_table("lifecycle stages", "lifecycle stage", "customers")
    for stage in data.lifecycle:
        stages.add_row(stage.stage, number(stage.customers))
    deciles = numbers_table("predicted value by decile (1 = lowest tenth)", "decile", "customers",
                     "predicted value")
    for band in data.value_deciles:
        deciles.add_row(band.label, number(band.customers), number(band.value))
    churn = numbers_table(f"churn risk of buyers ({number(data.at_risk_customers)} at 60% or more)",
                   "churn risk", "buyers", "predicted value at stake")
    for band in data.churn_bands:
        churn.add_row(band.label, number(band.customers), number(band.value))
    for table in (segments, stages, deciles, churn):
        out_console.print(table)


def numbers_table(title: str, label: str, *numbers: str) -> Table:
    """A table with one label column and right-aligned number columns."""
    table = Table(title=title)
    table.add_column(label)
    for name in numbers:
        table.add_column(name, justify="right")
    return table
