"""The result as an SVG bar chart, pure and escaped; the page puts a table beside it.

One row per competence: a bar for the level, a lighter bar for the pre level when there is
one, and a mark at the role's target. Shapes, not colour alone, tell them apart (the pre
bar is thinner and the target is a vertical line), and every value is also in the table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from opes_lti.competencies.questionnaire import Row

ROW_HEIGHT = 34
LABEL_WIDTH = 260
BAR_WIDTH = 360
#: Colours with at least 4.5:1 contrast on white (WCAG AA for the text they touch).
LEVEL_COLOUR = "#0b57a4"
PRE_COLOUR = "#8fb3d9"
TARGET_COLOUR = "#a4400b"


@dataclass(frozen=True)
class Labels:
    """The chart's words, already translated by the caller."""

    title: str
    description: str
    level: str
    pre: str
    target: str


def _short(text: str, limit: int = 38) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class Bar:
    """One row of a chart: a label, the value, optionally a value before and a target."""

    label: str
    value: float
    pre: float | None = None
    target: float | None = None


def _number(value: float) -> str:
    return f"{value:g}" if float(value).is_integer() else f"{value:.2f}"


def svg(rows: Sequence[Bar], scale_max: int, labels: Labels, ident: str = "opes-chart") -> str:
    """An accessible SVG bar chart (role="img", a title and a description), every text escaped.

    ``ident`` names its title and description, so a page may hold several charts.
    """
    height = ROW_HEIGHT * len(rows) + 40
    width = LABEL_WIDTH + BAR_WIDTH + 20
    step = BAR_WIDTH / max(1, scale_max)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="opes-chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%" '
        f'aria-labelledby="{ident}-title {ident}-desc">',
        f'<title id="{ident}-title">{escape(labels.title)}</title>',
        f'<desc id="{ident}-desc">{escape(labels.description)}</desc>',
    ]
    for level in range(scale_max + 1):  # scale lines and numbers
        x = LABEL_WIDTH + level * step
        parts.append(
            f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{height - 30}" stroke="#d0d0d0"/>'
            f'<text x="{x:.1f}" y="{height - 12}" font-size="12" text-anchor="middle" '
            f'fill="#1b1b1b">{level}</text>'
        )
    for i, row in enumerate(rows):
        y = i * ROW_HEIGHT + 6
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 17}" font-size="13" text-anchor="end" '
            f'fill="#1b1b1b"><title>{escape(row.label)}</title>{escape(_short(row.label))}</text>'
        )
        if row.pre is not None:
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{y + 18}" width="{row.pre * step:.1f}" height="8" '
                f'fill="{PRE_COLOUR}"><title>{escape(labels.pre)}: {_number(row.pre)}</title>'
                "</rect>"
            )
        parts.append(
            f'<rect x="{LABEL_WIDTH}" y="{y + 2}" width="{row.value * step:.1f}" height="14" '
            f'fill="{LEVEL_COLOUR}"><title>{escape(labels.level)}: {_number(row.value)}</title>'
            "</rect>"
        )
        if row.target is not None:
            x = LABEL_WIDTH + row.target * step
            parts.append(
                f'<line x1="{x:.1f}" y1="{y - 2}" x2="{x:.1f}" y2="{y + 28}" '
                f'stroke="{TARGET_COLOUR}" stroke-width="3">'
                f"<title>{escape(labels.target)}: {_number(row.target)}</title></line>"
            )
    parts.append("</svg>")
    return "".join(parts)


def bars(rows: Sequence[Row], max_level: int, language: str, labels: Labels) -> str:
    """A learner's result: their level per competence, before, and their role's target."""
    return svg(
        [Bar(r.competency.title.get(language), r.level, r.pre, r.target) for r in rows],
        max_level,
        labels,
    )
