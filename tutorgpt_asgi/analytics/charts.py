"""Charts as inline SVG, generated on the server.

Why hand-written SVG instead of a charting library: three simple charts (lines over days and two
bar lists) need ~100 lines, ship nothing to the browser, work offline and take their colours from
the page's CSS, so dark mode and contrast are decided in one stylesheet (``page.py``). Every
chart has a title and a description for screen readers, and the page shows the same figures as
tables.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape
from typing import Final

#: Series the line chart draws at most (the busiest lessons); colours ``.s0`` … ``.s4``.
MAX_SERIES: Final = 5
_WIDTH: Final = 720
_LEFT: Final = 44
_RIGHT: Final = 16
_TOP: Final = 12
_BAR_HEIGHT: Final = 22
_LABEL_WIDTH: Final = 230


@dataclass(frozen=True, slots=True)
class Series:
    """One line: a label and a count per day."""

    label: str
    counts: dict[str, int]


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar: label, length in [0, 1], the value as text, and an optional link."""

    label: str
    fraction: float
    value: str
    href: str | None = None


def _svg_open(title: str, description: str, height: int) -> str:
    key = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    return (
        f'<svg class="chart" role="img" viewBox="0 0 {_WIDTH} {height}" width="100%" '
        f'aria-labelledby="t-{key} d-{key}">'
        f'<title id="t-{key}">{escape(title)}</title>'
        f'<desc id="d-{key}">{escape(description)}</desc>'
    )


def day_range(first: date, last: date) -> list[str]:
    """Every day from ``first`` to ``last`` as ISO dates (the x axis, gaps included)."""
    return [(first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]


def line_chart(title: str, days: Sequence[str], series: Sequence[Series]) -> str:
    """Counts per day, one polyline per series, with a grid and first/last day labels."""
    height = 240
    bottom = height - 28
    peak = max([1, *(n for s in series for n in s.counts.values())])
    step = (_WIDTH - _LEFT - _RIGHT) / max(len(days) - 1, 1)

    def y(count: int) -> float:
        return bottom - (bottom - _TOP) * count / peak

    parts = [_svg_open(title, f"{len(series)} lessons over {len(days)} days, at most {peak} a day", height)]
    for tick in range(peak + 1) if peak <= 5 else (0, peak // 2, peak):
        parts.append(
            f'<line class="grid" x1="{_LEFT}" x2="{_WIDTH - _RIGHT}" y1="{y(tick):.1f}" y2="{y(tick):.1f}"/>'
            f'<text class="axis" x="{_LEFT - 6}" y="{y(tick) + 4:.1f}" text-anchor="end">{tick}</text>'
        )
    for index in sorted({0, len(days) - 1}):
        anchor = "start" if index == 0 else "end"
        parts.append(
            f'<text class="axis" x="{_LEFT + index * step:.1f}" y="{height - 8}" '
            f'text-anchor="{anchor}">{escape(days[index])}</text>'
        )
    for number, line in enumerate(series[:MAX_SERIES]):
        points = [(_LEFT + i * step, y(line.counts.get(day, 0))) for i, day in enumerate(days)]
        path = " ".join(f"{x:.1f},{py:.1f}" for x, py in points)
        parts.append(f'<g class="s{number}"><polyline class="line" points="{path}"/>')
        for (x, py), day in zip(points, days, strict=True):
            count = line.counts.get(day, 0)
            parts.append(
                f'<circle class="dot" cx="{x:.1f}" cy="{py:.1f}" r="3.5">'
                f"<title>{escape(line.label)}: {count} on {day}</title></circle>"
            )
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(title: str, description: str, bars: Sequence[Bar], css_class: str = "bar") -> str:
    """Horizontal bars with the label on the left (a link when given) and the value after."""
    height = _TOP * 2 + max(len(bars), 1) * (_BAR_HEIGHT + 8)
    span = _WIDTH - _LABEL_WIDTH - 150  # room for the value after the longest bar
    parts = [_svg_open(title, description, height)]
    if not bars:
        parts.append(f'<text class="axis" x="{_LEFT}" y="{_TOP + 16}">No data yet</text>')
    for index, bar in enumerate(bars):
        top = _TOP + index * (_BAR_HEIGHT + 8)
        label = (
            f'<text class="label" x="{_LABEL_WIDTH - 8}" y="{top + 15}" text-anchor="end">'
            f"{escape(bar.label)}</text>"
        )
        if bar.href:
            label = f'<a href="{escape(bar.href)}">{label}</a>'
        width = max(span * min(max(bar.fraction, 0.0), 1.0), 1.0)
        parts.append(
            f'{label}<rect class="{css_class}" x="{_LABEL_WIDTH}" y="{top}" width="{width:.1f}" '
            f'height="{_BAR_HEIGHT}" rx="3"><title>{escape(bar.label)}: {escape(bar.value)}</title></rect>'
            f'<text class="value" x="{_LABEL_WIDTH + width + 6:.1f}" y="{top + 15}">{escape(bar.value)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
