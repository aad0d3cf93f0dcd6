"""Inline SVG charts: no script, no network, readable on screen and on paper."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

__all__ = ["Bar", "column_chart", "funnel_chart", "horizontal_bars", "number"]

_FONT = 'font-family="system-ui, -apple-system, Segoe UI, sans-serif"'
_CHAR_WIDTH = 7.2  # average width of a 13px system-ui character, for laying out notes
PALETTE = ("#2563eb", "#0891b2", "#059669", "#65a30d", "#ca8a04", "#ea580c", "#dc2626",
           "#9333ea", "#db2777", "#4b5563", "#0f766e")


@dataclass(frozen=True)
class Bar:
    """One bar: its label, the length it is drawn at, and the text written beside it."""

    label: str
    value: float
    note: str = ""
    color: str = PALETTE[0]


def number(value: float, *, decimals: int = 0) -> str:
    """``12345.6`` -> ``12,346``: thousands separated, as a report reader expects."""
    return f"{value:,.{decimals}f}"


def _svg(width: int, height: int, title: str, body: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{escape(title)}" {_FONT} font-size="13">'
        f"<title>{escape(title)}</title>{body}</svg>"
    )


def horizontal_bars(bars: Sequence[Bar], *, title: str, label_width: int = 170,
                    width: int = 720) -> str:
    """One labelled bar per row, longest value spanning the chart."""
    if not bars:
        return _empty(title)
    row, top = 26, 6
    biggest = max((bar.value for bar in bars), default=0) or 1
    longest_note = max(len(bar.note) for bar in bars)
    span = max(80, width - label_width - 12 - int(longest_note * _CHAR_WIDTH))
    parts = []
    for index, bar in enumerate(bars):
        y = top + index * row
        length = max(1.0, span * max(bar.value, 0) / biggest)
        parts.append(
            f'<text x="{label_width - 8}" y="{y + 16}" text-anchor="end">{escape(bar.label)}'
            f"</text>"
            f'<rect x="{label_width}" y="{y + 3}" width="{length:.1f}" height="{row - 8}" '
            f'rx="3" fill="{bar.color}"><title>{escape(bar.label)}: {escape(bar.note)}</title>'
            f"</rect>"
            f'<text x="{label_width + length + 6:.1f}" y="{y + 16}" fill="#374151">'
            f"{escape(bar.note)}</text>"
        )
    return _svg(width, top * 2 + row * len(bars), title, "".join(parts))


def funnel_chart(bars: Sequence[Bar], *, title: str, width: int = 720) -> str:
    """Centred bars, widest first: a lifecycle funnel."""
    if not bars:
        return _empty(title)
    row, top = 34, 6
    biggest = max((bar.value for bar in bars), default=0) or 1
    span = width - 40
    parts = []
    for index, bar in enumerate(bars):
        y = top + index * row
        length = span * max(bar.value, 0) / biggest
        if length > 0:  # an empty stage is only named, in grey: no sliver of a bar
            length = max(length, 2.0)
            x = (width - length) / 2
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="{length:.1f}" height="{row - 6}" '
                f'rx="4" fill="{bar.color}"><title>{escape(bar.label)}: {escape(bar.note)}'
                "</title></rect>")
        parts.append(
            f'<text x="{width / 2}" y="{y + 19}" text-anchor="middle" '
            f'fill="{"#111827" if length > 0 else "#9ca3af"}" '
            f'paint-order="stroke" stroke="#ffffff" stroke-width="3">'
            f"{escape(bar.label)} · {escape(bar.note)}</text>"
        )
    return _svg(width, top * 2 + row * len(bars), title, "".join(parts))


def column_chart(bars: Sequence[Bar], *, title: str, width: int = 720, height: int = 260
                 ) -> str:
    """Vertical columns with their label below and their note above: a distribution."""
    if not bars:
        return _empty(title)
    bottom, top = 40, 24
    slot = (width - 20) / len(bars)
    biggest = max((bar.value for bar in bars), default=0) or 1
    span = height - bottom - top
    parts = [f'<line x1="10" y1="{height - bottom}" x2="{width - 10}" y2="{height - bottom}" '
             f'stroke="#9ca3af"/>']
    for index, bar in enumerate(bars):
        tall = max(1.0, span * max(bar.value, 0) / biggest)
        x = 10 + index * slot + slot * 0.15
        y = height - bottom - tall
        centre = 10 + index * slot + slot / 2
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{tall:.1f}" '
            f'rx="3" fill="{bar.color}"><title>{escape(bar.label)}: {escape(bar.note)}</title>'
            f"</rect>"
            f'<text x="{centre:.1f}" y="{y - 6:.1f}" text-anchor="middle" font-size="11" '
            f'fill="#374151">{escape(bar.note)}</text>'
            f'<text x="{centre:.1f}" y="{height - bottom + 18}" text-anchor="middle" '
            f'font-size="11">{escape(bar.label)}</text>'
        )
    return _svg(width, height, title, "".join(parts))


def _empty(title: str) -> str:
    return _svg(720, 40, title, '<text x="10" y="25" fill="#6b7280">No data yet.</text>')
