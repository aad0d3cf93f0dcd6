"""Inline SVG charts: no script, no network, readable on screen and on paper."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

__all__ = ["Bar", "Line", "column_chart", "funnel_chart", "horizontal_bars", "line_chart",
           "number"]

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


@dataclass(frozen=True)
class Line:
    """One series of a line chart: its name, colour and y values at x = 1, 2, ..."""

    name: str
    values: tuple[float, ...]
    color: str = PALETTE[0]


def line_chart(lines: Sequence[Line], *, title: str, x_label: str, width: int = 720,
               height: int = 260) -> str:
    """Lines over a common x = 1..n, with a legend and the last value of each written."""
    n = max((len(line.values) for line in lines), default=0)
    if not n:
        return _empty(title)
    left, right, top, bottom = 50, 150, 16, 36
    biggest = max((max(line.values, default=0) for line in lines), default=0) or 1
    span_x, span_y = width - left - right, height - top - bottom

    def point(index: int, value: float) -> str:
        x = left + (span_x * index / max(n - 1, 1))
        return f"{x:.1f},{top + span_y * (1 - max(value, 0) / biggest):.1f}"

    parts = [f'<line x1="{left}" y1="{height - bottom}" x2="{width - right}" '
             f'y2="{height - bottom}" stroke="#9ca3af"/>',
             f'<text x="{left}" y="{height - 8}" font-size="11">{escape(x_label)} 1</text>',
             f'<text x="{width - right}" y="{height - 8}" font-size="11" text-anchor="end">'
             f"{n}</text>",
             f'<text x="{left - 6}" y="{top + 10}" font-size="11" text-anchor="end">'
             f"{number(biggest)}</text>"]
    for rank, line in enumerate(lines):
        points = " ".join(point(i, v) for i, v in enumerate(line.values))
        last = line.values[-1] if line.values else 0.0
        parts.append(f'<polyline points="{points}" fill="none" stroke="{line.color}" '
                     f'stroke-width="2"><title>{escape(line.name)}</title></polyline>'
                     f'<text x="{width - right + 8}" y="{top + 14 + rank * 18}" '
                     f'fill="{line.color}">{escape(line.name)}: {number(last)}</text>')
    return _svg(width, height, title, "".join(parts))


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
