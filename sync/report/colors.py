"""Fixed colours per meaning: a segment or stage is drawn in the same colour in every report,
whatever its rank, so "Lost" is always red and "Champions" always green."""

from __future__ import annotations

from zlib import crc32

__all__ = ["segment_color", "stage_color"]

# Default RFM grid names (``enrichment.settings.DEFAULT_RFM_GRID``) and ``Prospect``: greens
# for the best, ambers for those slipping, reds for those at risk or lost.
_SEGMENT_COLORS = {
    "Champions": "#047857", "Loyal": "#059669", "Potential Loyalist": "#10b981",
    "New": "#65a30d", "Promising": "#84cc16", "Need Attention": "#ca8a04",
    "About to Sleep": "#d97706", "Hibernating": "#ea580c", "At Risk": "#ef4444",
    "Can't Lose Them": "#b91c1c", "Lost": "#dc2626", "Prospect": "#60a5fa",
}
_STAGE_COLORS = {"reach": "#93c5fd", "engagement": "#60a5fa", "purchase": "#3b82f6",
                 "retention": "#2563eb", "loyalty": "#1d4ed8", "decline": "#f59e0b",
                 "lapsed": "#dc2626"}
# Names of a client's own grid or stages get one of these, chosen by the name itself.
_OTHER = ("#4b5563", "#0f766e", "#9333ea", "#db2777", "#0891b2", "#a16207")


def _by_name(name: str) -> str:
    return _OTHER[crc32(name.encode("utf-8")) % len(_OTHER)]


def segment_color(name: str) -> str:
    """The colour of an RFM segment, the same in every report."""
    return _SEGMENT_COLORS.get(name) or _by_name(name)


def stage_color(stage: str) -> str:
    """The colour of a lifecycle stage, the same in every report."""
    return _STAGE_COLORS.get(stage) or _by_name(stage)
