"""Reports as the rows a page, a chart or an export shows (titles in the language)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from flask_babel import gettext as _

from opes_lti.competencies.disclosure import Node
from opes_lti.competencies.gain import CellStats, band
from opes_lti.dashboard import targets
from opes_lti.dashboard.gap import GapReport
from opes_lti.dashboard.overview import Community
from opes_lti.regions import REGIONS

Level = Literal["framework", "area", "competency"]


@dataclass(frozen=True)
class Row:
    """One framework, area or competence, with its figures (or none, when suppressed)."""

    level: Level
    framework: str
    area: str
    code: str
    title: str
    stats: CellStats

    @property
    def band(self) -> str | None:
        """low, medium or high gain (None without one)."""
        return band(self.stats.mean_gain)


@dataclass(frozen=True)
class Shown:
    """The rows of one level of the drill-down, and where it sits."""

    level: Level
    framework: str | None
    area: str | None
    rows: list[Row]
    scale: int
    framework_title: str = ""
    area_title: str = ""


def _row(level: Level, framework: str, area: str, node: Node, lang: str) -> Row:
    return Row(
        level, framework, area, node.code, targets.title(framework, node.code, lang), node.stats()
    )


def level(report: GapReport, framework: str | None, area: str | None, lang: str) -> Shown:
    """Frameworks; or the areas of ``framework``; or the competences of ``area`` in it."""
    tree = {f.code: f for f in report.tree}
    if framework is None or framework not in tree:
        rows = [_row("framework", f.code, "", f, lang) for f in report.tree]
        return Shown("framework", None, None, rows, 10 if not rows else _scale(rows))
    areas = {a.code: a for a in tree[framework].children}
    scale = targets.scale(framework)
    named = targets.title(framework, framework, lang)
    if area is None or area not in areas:
        rows = [_row("area", framework, a.code, a, lang) for a in areas.values()]
        return Shown("area", framework, None, rows, scale, named)
    leaves = [_row("competency", framework, area, c, lang) for c in areas[area].children]
    area_title = targets.title(framework, area, lang)
    return Shown("competency", framework, area, leaves, scale, named, area_title)


def _scale(rows: list[Row]) -> int:
    return max(targets.scale(r.framework) for r in rows)


def _figures(stats: CellStats) -> list[Any]:
    if stats.suppressed:
        return [None] * 8
    return [
        stats.n,
        stats.mean_pre,
        stats.mean_post,
        stats.mean_difference,
        stats.mean_gain,
        band(stats.mean_gain),
        stats.effect_size,
        stats.share_reaching_target,
    ]


def table(report: GapReport, lang: str) -> tuple[list[str], Iterator[list[Any]]]:
    """Every level of the report, for CSV and XLSX: suppressed rows say so, with no figure."""
    header = [
        _("level"), _("framework"), _("area"), _("competence"), _("title"), _("suppressed"),
        _("matched pairs"), _("mean before"), _("mean after"), _("mean difference"),
        _("mean normalised gain"), _("gain band"), _("effect size"), _("share reaching target"),
    ]  # fmt: skip

    def body() -> Iterator[list[Any]]:
        for f in report.tree:
            for level_, area, node in [("framework", "", f)] + [
                item
                for a in f.children
                for item in [("area", a.code, a)] + [("competency", a.code, c) for c in a.children]
            ]:
                code = node.code if level_ == "competency" else ""
                yield [
                    level_,
                    f.code,
                    area,
                    code,
                    targets.title(f.code, node.code, lang),
                    _("yes") if node.suppressed else _("no"),
                    *_figures(node.stats()),
                ]

    return header, body()


def communities_table(found: list[Community]) -> tuple[list[str], Iterator[list[Any]]]:
    """Each community's figures, then a row per practice, partnership and intervention."""
    header = [
        _("community"), _("members"), _("meetings held online"), _("meetings held in person"),
        _("attendances"), _("record"), _("title or partner"), _("kind"), _("regions"),
        _("organisation"), _("date"),
    ]  # fmt: skip

    def body() -> Iterator[list[Any]]:
        for c in found:
            meetings = [c.meetings.get("online", 0), c.meetings.get("in_person", 0)]
            yield [c.name, c.members, *meetings, c.attendance, "", "", "", "", "", ""]
            blank = [c.name, None, None, None, None]
            for p in c.practices:
                yield [*blank, _("practice"), p["title"], p.get("theme", ""), *_where_when(p)]
            for p in c.partnerships:
                public = p["variant"] == "public_administration"
                kind = _("public administration") if public else _("organisation")
                if p.get("instrument"):
                    kind = f"{kind} · {p['instrument']}"
                yield [*blank, _("partnership"), p["partner"], kind, *_where_when(p)]
            for i in c.interventions:
                state = _("completed") if i["variant"] == "completed" else _("started")
                yield [*blank, _("intervention"), i["title"], state, *_where_when(i)]

    return header, body()


def _where_when(entry: dict[str, Any]) -> list[Any]:
    regions = entry.get("regions") or ([entry["region"]] if entry.get("region") else [])
    named = ", ".join(REGIONS.get(r, r) for r in regions)
    return [named, entry.get("organisation", ""), entry["at"].date().isoformat()]
