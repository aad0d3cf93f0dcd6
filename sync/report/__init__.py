"""The self-contained HTML report: what the traits say about a client's customers."""

from __future__ import annotations

from sync.report.model import (
    Band,
    ClvTerms,
    Movement,
    ReportData,
    RunRow,
    SegmentRow,
    StageCount,
)
from sync.report.page import render_report

__all__ = ["Band", "ClvTerms", "Movement", "ReportData", "RunRow", "SegmentRow", "StageCount",
           "render_report"]
