"""Small inline SVG charts, drawn on the server, each with a text alternative.

No scripts and no style attributes (the pages' Content-Security-Policy forbids both): shapes
carry classes the stylesheet colours. Every chart is an `<svg role="img">` labelled by its
own <title> and <desc>, and the `alt` text is also shown beside it for everyone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape


@dataclass(frozen=True)
class Chart:
    svg: Markup
    alt: str  # the same information in words


def _frame(chart_id: str, title: str, alt: str, width: int, height: int, body: str) -> Markup:
    return Markup(
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-labelledby="{chart_id}-t {chart_id}-d" '
        f'xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}-t">{escape(title)}</title>'
        f'<desc id="{chart_id}-d">{escape(alt)}</desc>{body}</svg>'
    )


def trend(
    chart_id: str,
    values: Sequence[float],
    labels: Sequence[str],
    title: str = "Ready % over the last digests",
    width: int = 320,
    height: int = 120,
) -> Chart:
    """A line of percentages (0–100) over time, oldest first; the last point is now."""
    if len(values) != len(labels):
        raise ValueError("one label per value")
    if not values:
        alt = "No digests yet: no trend to show."
        return Chart(_frame(chart_id, title, alt, width, height, ""), alt)
    left, right, top, bottom = 34, 8, 8, 22
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / (len(values) - 1) if len(values) > 1 else 0.0

    def point(index: int, value: float) -> tuple[float, float]:
        clamped = min(100.0, max(0.0, value))
        x = left + (step * index if len(values) > 1 else plot_w / 2)
        return round(x, 1), round(top + plot_h * (1 - clamped / 100), 1)

    parts = []
    for mark in (0, 50, 100):
        y = round(top + plot_h * (1 - mark / 100), 1)
        parts.append(f'<line class="grid" x1="{left}" y1="{y}" x2="{width - right}" y2="{y}"/>')
        parts.append(
            f'<text class="axis" x="{left - 4}" y="{y + 4}" text-anchor="end">{mark}%</text>'
        )
    points = [point(i, v) for i, v in enumerate(values)]
    coords = " ".join(f"{x},{y}" for x, y in points)
    parts.append(f'<polyline class="line" fill="none" points="{coords}"/>')
    for x, y in points:
        parts.append(f'<circle class="dot" cx="{x}" cy="{y}" r="3"/>')
    parts.append(
        f'<text class="axis" x="{left}" y="{height - 6}">{escape(labels[0])}</text>'
        f'<text class="axis" x="{width - right}" y="{height - 6}" text-anchor="end">'
        f"{escape(labels[-1])}</text>"
    )
    readings = ", ".join(
        f"{label}: {value:.0f}%" for label, value in zip(labels, values, strict=True)
    )
    alt = f"Ready % from oldest to newest: {readings}."
    return Chart(_frame(chart_id, title, alt, width, height, "".join(parts)), alt)


def bars(
    chart_id: str,
    pairs: Sequence[tuple[str, int]],
    title: str = "Findings per rule",
    width: int = 320,
    bar_height: int = 18,
) -> Chart:
    """Horizontal bars, one per (label, count), longest scaled to the full width."""
    if not pairs:
        alt = "No findings."
        return Chart(_frame(chart_id, title, alt, width, bar_height, ""), alt)
    label_w, gap = 130, 6
    height = len(pairs) * (bar_height + gap)
    most = max(count for _, count in pairs) or 1
    parts = []
    for index, (label, count) in enumerate(pairs):
        y = index * (bar_height + gap)
        length = round((width - label_w - 40) * count / most, 1)
        text_y = y + bar_height - 5
        parts.append(
            f'<text class="label" x="0" y="{text_y}">{escape(label)}</text>'
            f'<rect class="bar" x="{label_w}" y="{y}" width="{length}" height="{bar_height}"/>'
            f'<text class="value" x="{label_w + length + 4}" y="{text_y}">{count}</text>'
        )
    alt = "; ".join(f"{label}: {count}" for label, count in pairs) + "."
    return Chart(_frame(chart_id, title, alt, width, height, "".join(parts)), alt)
