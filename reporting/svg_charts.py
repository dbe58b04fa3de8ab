"""Trend charts as inline SVG, drawn in Python: no JavaScript and no network, so WeasyPrint prints them as
they are. A chart carries its own title and a text description (role="img" with <title> and <desc>) for
the tagged PDF and for readers who cannot see it; the figures are also in the table beside it."""
from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from xml.sax.saxutils import escape

from django.utils.safestring import SafeString, mark_safe

FONT = "Report Sans, DejaVu Sans, sans-serif"


def _fmt(value: Decimal) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _nice_top(value: Decimal) -> Decimal:
    for step in (5, 10, 20, 50, 100, 200, 500, 1000):
        if value <= step * 5:
            top = (int(value) // step + 1) * step
            return Decimal(top)
    return Decimal(int(value) + 1)


def line_chart(
    points: Sequence[tuple[str, Decimal | None]],
    *,
    title: str,
    target: Decimal | None = None,
    width: int = 260,
    height: int = 110,
    unit: str = "",
) -> SafeString:
    """A line of values over labelled periods, with a dashed target line. A None value is a gap (no data or
    not started), never a zero. Returns SVG markup for a template."""
    left, right, top, bottom = 30, 16, 16, 24  # room for the last month label
    plot_w, plot_h = width - left - right, height - top - bottom
    known = [v for _, v in points if v is not None]
    high = max([*known, target or Decimal(0), Decimal(1)])
    y_top = _nice_top(high)
    n = len(points)

    def x(i: int) -> float:
        return left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def y(value: Decimal) -> float:
        return top + plot_h - float(value / y_top) * plot_h

    described = "; ".join(f"{label} {_fmt(v) if v is not None else 'no figure'}" for label, v in points)
    desc = f"{title}: {described}" + (f". Target {_fmt(target)}{unit}." if target is not None else ".")
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{FONT}" font-size="7">',
        f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>",
        f'<text x="{left}" y="9" font-size="7.5" font-weight="bold">{escape(title)}</text>',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#888" stroke-width="0.6"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="#888" stroke-width="0.6"/>',
    ]
    for tick in (Decimal(0), y_top / 2, y_top):
        parts.append(f'<text x="{left - 3}" y="{y(tick) + 2.5:.1f}" text-anchor="end" fill="#444">{_fmt(tick)}</text>')
        if tick:
            parts.append(f'<line x1="{left}" y1="{y(tick):.1f}" x2="{left + plot_w}" y2="{y(tick):.1f}" '
                         'stroke="#ddd" stroke-width="0.4"/>')
    if target is not None:
        parts.append(f'<line x1="{left}" y1="{y(target):.1f}" x2="{left + plot_w}" y2="{y(target):.1f}" '
                     'stroke="#a00" stroke-width="0.8" stroke-dasharray="3 2"/>')
        parts.append(f'<text x="{left + plot_w}" y="{y(target) - 2:.1f}" text-anchor="end" fill="#a00">'
                     f'target {_fmt(target)}</text>')
    segment: list[str] = []
    segments = []
    for i, (_, value) in enumerate(points):
        if value is None:
            if segment:
                segments.append(segment)
            segment = []
            continue
        segment.append(f"{x(i):.1f},{y(value):.1f}")
    if segment:
        segments.append(segment)
    for seg in segments:
        if len(seg) > 1:
            parts.append(f'<polyline points="{" ".join(seg)}" fill="none" stroke="#1f4e79" stroke-width="1.2"/>')
    for i, (_, value) in enumerate(points):
        if value is not None:
            parts.append(f'<circle cx="{x(i):.1f}" cy="{y(value):.1f}" r="1.6" fill="#1f4e79"/>')
    step = max(1, (n + 5) // 6)  # at most six labels, counted back from the latest so it is always labelled
    for i, (label, _) in enumerate(points):
        if (n - 1 - i) % step == 0:
            parts.append(f'<text x="{x(i):.1f}" y="{top + plot_h + 9}" text-anchor="middle" fill="#444">'
                         f"{escape(label)}</text>")
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text in it went through escape()
