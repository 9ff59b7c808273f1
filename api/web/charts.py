"""Bar charts drawn on the server as SVG (no script, no external library)."""

from __future__ import annotations

import math
from html import escape

BAR = "#b3000c"
BAR_ALT = "#0b4f9c"
# Series colours told apart by people with the common colour-vision deficiencies.
SERIES = ("#0b4f9c", "#b3000c", "#1d6b2f", "#8a5a00", "#5a2d82", "#444444")


def nice_top(peak: float) -> tuple[float, float]:
    """An axis top at or above ``peak`` and its tick step (1, 2 or 5 times a power of ten, about four ticks)."""
    if peak <= 0:
        return 1.0, 1.0
    raw = peak / 4
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    if step < 1 and peak >= 1:
        step = 1.0
    return math.ceil(peak / step) * step, step


def _y_axis(left: int, top: float, bottom: float, right: float, axis_top: float, step: float, unit: str) -> str:
    """Grid lines with their values, and the axis line."""
    parts = [f'<line x1="{left}" y1="{top:.0f}" x2="{left}" y2="{bottom:.0f}" stroke="#888"/>']
    ticks = round(axis_top / step)
    for i in range(ticks + 1):
        value = i * step
        y = bottom - (bottom - top) * value / axis_top
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{right:.0f}" y2="{y:.1f}" stroke="#e2e2e2"/>'
            f'<text x="{left - 4}" y="{y + 4:.1f}" font-size="11" text-anchor="end">{value:g}</text>'
        )
    if unit:
        parts.append(
            f'<text x="{left - 4}" y="{top - 8:.0f}" font-size="11" text-anchor="end">（{escape(unit)}）</text>'
        )
    return "".join(parts)


def _category(label: str, x: float, y: float) -> str:
    """A category's name under its bars, in up to two lines of seven characters (the whole name in the tooltip)."""
    lines = [label[:7], label[7:14] + ("…" if len(label) > 14 else "")] if len(label) > 7 else [label]
    return (
        "".join(
            f'<text x="{x:.1f}" y="{y + 14 * i:.1f}" font-size="11" text-anchor="middle">{escape(line)}</text>'
            for i, line in enumerate(lines)
        )
        + f"<title>{escape(label)}</title>"
    )


def bars(title: str, items: list[tuple[str, float]], *, unit: str = "", colour: str = BAR, width: int = 520) -> str:
    """Vertical bars with their values on top, a value axis with grid lines; an empty chart says so."""
    height, top, bottom, left = 236, 40, 56, 44
    axis_top, step = nice_top(max((value for _, value in items), default=0))
    base = height - bottom
    slot = (width - left - 10) / max(len(items), 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" class="chart" '
        f'role="img" aria-label="{escape(title)}" font-family="sans-serif">',
        f'<text x="{width / 2:.0f}" y="18" font-size="14" text-anchor="middle" font-weight="bold">'
        f"{escape(title)}</text>",
        _y_axis(left, top, base, width - 10, axis_top, step, unit),
        f'<line x1="{left}" y1="{base}" x2="{width - 10}" y2="{base}" stroke="#888"/>',
    ]
    if not items or not any(value for _, value in items):
        parts.append(
            f'<text x="{width / 2:.0f}" y="{height / 2:.0f}" font-size="13" text-anchor="middle" '
            f'fill="#666">暂无数据</text>'
        )
    for index, (label, value) in enumerate(items):
        bar_height = (base - top) * value / axis_top
        x = left + index * slot + slot * 0.15
        y = base - bar_height
        shown = f"{value:g}{unit}"
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{bar_height:.1f}" fill="{colour}">'
            f"<title>{escape(label)}：{escape(shown)}</title></rect>"
            f'<text x="{x + slot * 0.35:.1f}" y="{y - 4:.1f}" font-size="11" text-anchor="middle">'
            f"{escape(shown)}</text>" + _category(label, x + slot * 0.35, base + 16)
        )
    parts.append("</svg>")
    return "".join(parts)


def grouped_bars(title: str, groups: list[tuple[str, dict[str, float]]], *, unit: str = "", width: int = 520) -> str:
    """One group of bars per label, one bar per series with its value on top, a value axis, and a
    legend of exactly the series some bar shows, in the bars' colours."""
    series = [
        name
        for name in dict.fromkeys(n for _, values in groups for n in values)
        if any(values.get(name) for _, values in groups)
    ]
    colour = {name: SERIES[i % len(SERIES)] for i, name in enumerate(series)}
    legend_rows = (len(series) + 1) // 2
    chart_bottom, top, left = 200, 40, 44
    height = chart_bottom + 40 + 18 * legend_rows
    axis_top, step = nice_top(max((v for _, values in groups for v in values.values()), default=0))
    slot = (width - left - 10) / max(len(groups), 1)
    bar = slot * 0.8 / max(len(series), 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" class="chart" '
        f'role="img" aria-label="{escape(title)}" font-family="sans-serif">',
        f'<text x="{width / 2:.0f}" y="18" font-size="14" text-anchor="middle" font-weight="bold">'
        f"{escape(title)}</text>",
        _y_axis(left, top, chart_bottom, width - 10, axis_top, step, unit),
        f'<line x1="{left}" y1="{chart_bottom}" x2="{width - 10}" y2="{chart_bottom}" stroke="#888"/>',
    ]
    if not series:
        parts.append(
            f'<text x="{width / 2:.0f}" y="{chart_bottom / 2:.0f}" font-size="13" text-anchor="middle" '
            f'fill="#666">暂无数据</text>'
        )
    for index, (label, values) in enumerate(groups):
        start = left + index * slot + slot * 0.1
        for position, name in enumerate(series):
            value = values.get(name, 0)
            bar_height = (chart_bottom - top) * value / axis_top
            x, y = start + position * bar, chart_bottom - bar_height
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar * 0.9:.1f}" height="{bar_height:.1f}" '
                f'fill="{colour[name]}"><title>{escape(label)} {escape(name)}：'
                f"{value:g}{escape(unit)}</title></rect>"
                f'<text x="{x + bar * 0.45:.1f}" y="{y - 3:.1f}" font-size="10" text-anchor="middle">{value:g}</text>'
            )
        parts.append(_category(label, start + slot * 0.4, chart_bottom + 16))
    for position, name in enumerate(series):
        x = left + (position % 2) * (width - left) / 2
        y = chart_bottom + 52 + 18 * (position // 2)
        parts.append(
            f'<rect x="{x:.0f}" y="{y - 10}" width="12" height="12" fill="{colour[name]}"/>'
            f'<text x="{x + 16:.0f}" y="{y}" font-size="12">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
