"""Bar charts drawn on the server as SVG (no script, no external library)."""

from __future__ import annotations

from html import escape

BAR = "#b3000c"
BAR_ALT = "#0b4f9c"
# Series colours told apart by people with the common colour-vision deficiencies.
SERIES = ("#0b4f9c", "#b3000c", "#1d6b2f", "#8a5a00", "#5a2d82", "#444444")


def bars(title: str, items: list[tuple[str, float]], *, unit: str = "", colour: str = BAR, width: int = 520) -> str:
    """Vertical bars with their values on top; an empty chart says so."""
    height, top, bottom, left = 220, 30, 48, 36
    peak = max((value for _, value in items), default=0) or 1
    slot = (width - left - 10) / max(len(items), 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" class="chart" '
        f'role="img" aria-label="{escape(title)}" font-family="sans-serif">',
        f'<text x="{width / 2:.0f}" y="18" font-size="14" text-anchor="middle" font-weight="bold">'
        f"{escape(title)}</text>",
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - 10}" y2="{height - bottom}" stroke="#888"/>',
    ]
    if not items or not any(value for _, value in items):
        parts.append(
            f'<text x="{width / 2:.0f}" y="{height / 2:.0f}" font-size="13" text-anchor="middle" '
            f'fill="#666">暂无数据</text>'
        )
    for index, (label, value) in enumerate(items):
        bar_height = (height - top - bottom) * value / peak
        x = left + index * slot + slot * 0.15
        y = height - bottom - bar_height
        shown = f"{value:g}{unit}"
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{bar_height:.1f}" fill="{colour}">'
            f"<title>{escape(label)}：{escape(shown)}</title></rect>"
            f'<text x="{x + slot * 0.35:.1f}" y="{y - 4:.1f}" font-size="11" text-anchor="middle">'
            f"{escape(shown)}</text>"
            f'<text x="{x + slot * 0.35:.1f}" y="{height - bottom + 16:.1f}" font-size="11" text-anchor="middle">'
            f"{escape(label[:8])}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def grouped_bars(title: str, groups: list[tuple[str, dict[str, float]]], *, unit: str = "", width: int = 520) -> str:
    """One group of bars per label, one bar per series, with a legend of the series."""
    series = list(dict.fromkeys(name for _, values in groups for name in values))
    height, top, bottom, left = 240 + 18 * ((len(series) + 1) // 2), 30, 48, 36
    legend_top = 240 - 8
    chart_height = legend_top - bottom + 8
    peak = max((v for _, values in groups for v in values.values()), default=0) or 1
    slot = (width - left - 10) / max(len(groups), 1)
    bar = slot * 0.8 / max(len(series), 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" class="chart" '
        f'role="img" aria-label="{escape(title)}" font-family="sans-serif">',
        f'<text x="{width / 2:.0f}" y="18" font-size="14" text-anchor="middle" font-weight="bold">'
        f"{escape(title)}</text>",
        f'<line x1="{left}" y1="{chart_height}" x2="{width - 10}" y2="{chart_height}" stroke="#888"/>',
    ]
    if not series:
        parts.append(
            f'<text x="{width / 2:.0f}" y="{chart_height / 2:.0f}" font-size="13" text-anchor="middle" '
            f'fill="#666">暂无数据</text>'
        )
    for index, (label, values) in enumerate(groups):
        start = left + index * slot + slot * 0.1
        for position, name in enumerate(series):
            if name not in values:
                continue
            value = values[name]
            bar_height = (chart_height - top) * value / peak
            x, y = start + position * bar, chart_height - bar_height
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar * 0.9:.1f}" height="{bar_height:.1f}" '
                f'fill="{SERIES[position % len(SERIES)]}"><title>{escape(label)} {escape(name)}：'
                f"{value:g}{escape(unit)}</title></rect>"
            )
        parts.append(
            f'<text x="{start + slot * 0.4:.1f}" y="{chart_height + 16:.1f}" font-size="11" text-anchor="middle">'
            f"{escape(label[:8])}</text>"
        )
    for position, name in enumerate(series):
        x = left + (position % 2) * (width - left) / 2
        y = legend_top + 18 + 18 * (position // 2)
        parts.append(
            f'<rect x="{x:.0f}" y="{y - 10}" width="12" height="12" fill="{SERIES[position % len(SERIES)]}"/>'
            f'<text x="{x + 16:.0f}" y="{y}" font-size="12">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
