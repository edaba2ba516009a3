"""Month by month as an SVG column chart, pure and escaped; the page's table has the numbers.

A group of columns per month, one column per series. Series differ by pattern as well as
colour (solid, striped, outlined), the legend names them in words, and every column has
its value as a tooltip. A hidden value (too few learners) draws no column and says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

HEIGHT = 260
LEFT, BOTTOM, TOP = 48, 36, 70
#: The legend, a line per series above the plot.
LEGEND_LINE = 18
MIN_WIDTH = 320
COLUMN, GAP = 12, 14
#: Colours with at least 3:1 contrast on white (WCAG 1.4.11 for graphics).
COLOURS = ("#0b57a4", "#a4400b", "#2d6a2d")
_PATTERNS = ("", "stripes", "outline")


@dataclass(frozen=True)
class Series:
    """One figure over the months: its name in the legend and a value per month."""

    name: str
    values: Sequence[int | None]


def ticks(top: int) -> list[int]:
    """The scale's marks: from 0 past ``top`` in round steps (1, 2, 5, 10...), at most six."""
    step = next(b * 10**e for e in range(19) for b in (1, 2, 5) if top <= 5 * b * 10**e)
    return list(range(0, -(-top // step) * step + 1, step))


def svg(
    months: Sequence[str],
    series: Sequence[Series],
    title: str,
    description: str,
    hidden: str,
    ident: str = "months-chart",
) -> str:
    """The chart, ``role="img"`` with a title and a description; ``hidden`` tells a gap."""
    highest = max([v for s in series for v in s.values if v is not None] or [1])
    marks = ticks(max(1, highest))
    scale = (HEIGHT - BOTTOM - TOP) / marks[-1]
    group = len(series) * COLUMN + GAP
    width = max(LEFT + group * len(months) + 10, MIN_WIDTH)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="opes-chart" role="img" '
        f'viewBox="0 0 {width} {HEIGHT}" width="100%" style="max-width:{2 * width}px" '
        f'aria-labelledby="{ident}-title {ident}-desc">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(description)}</desc>',
        f'<defs><pattern id="{ident}-stripes" width="4" height="4" '
        'patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        f'<rect width="2" height="4" fill="{COLOURS[1]}"/></pattern></defs>',
    ]
    base = HEIGHT - BOTTOM
    for tick in marks:
        y = base - tick * scale
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{width}" y2="{y:.1f}" stroke="#d0d0d0"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" '
            f'fill="#1b1b1b">{tick}</text>'
        )
    for m, month in enumerate(months):
        x0 = LEFT + m * group + GAP / 2
        parts.append(
            f'<text x="{x0 + group / 2 - GAP / 2:.1f}" y="{base + 16}" font-size="11" '
            f'text-anchor="middle" fill="#1b1b1b">{escape(month)}</text>'
        )
        for s, one in enumerate(series):
            value = one.values[m]
            x = x0 + s * COLUMN
            label = f"{one.name}, {month}: {hidden if value is None else value}"
            if value is None:
                parts.append(
                    f'<text x="{x + COLUMN / 2:.1f}" y="{base - 4}" font-size="11" '
                    f'text-anchor="middle" fill="#1b1b1b"><title>{escape(label)}</title>–</text>'
                )
                continue
            parts.append(_column(x, base, value * scale, s, ident, label))
    parts.append(_legend(series, ident))
    parts.append("</svg>")
    return "".join(parts)


def _column(x: float, base: float, height: float, s: int, ident: str, label: str) -> str:
    pattern = _PATTERNS[s % len(_PATTERNS)]
    colour = COLOURS[s % len(COLOURS)]
    fill = {"": colour, "stripes": f"url(#{ident}-stripes)", "outline": "#ffffff"}[pattern]
    stroke = f' stroke="{colour}" stroke-width="2"' if pattern else ""
    return (
        f'<rect x="{x:.1f}" y="{base - height:.1f}" width="{COLUMN - 2}" height="{height:.1f}" '
        f'fill="{fill}"{stroke}><title>{escape(label)}</title></rect>'
    )


def _legend(series: Sequence[Series], ident: str) -> str:
    parts = []
    for s, one in enumerate(series):
        y = 6 + s * LEGEND_LINE
        parts.append(_column(LEFT, y + 12, 12, s, ident, one.name))
        parts.append(
            f'<text x="{LEFT + COLUMN + 6}" y="{y + 11}" font-size="12" fill="#1b1b1b">'
            f"{escape(one.name)}</text>"
        )
    return "".join(parts)
