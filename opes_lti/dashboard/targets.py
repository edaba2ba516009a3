"""What the dashboard knows of a framework beyond the events: targets and titles.

The events carry a framework's id, a competence's code and its area; the target level
per role and the titles come from the framework itself. The shipped frameworks are known
to every reporting service; one the events name but this service does not know is
reported by its codes, with no target share.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

from opes_lti.competencies import builtin
from opes_lti.competencies.framework import Framework, Text


@cache
def _known() -> dict[str, Framework]:
    return {f.id: f for f in builtin.all_frameworks()}


@cache
def _competences(framework: str) -> dict[str, tuple[str, Mapping[str, int], Text]]:
    known = _known().get(framework)
    if known is None:
        return {}
    return {
        c.code: (area.code, dict(c.targets), c.title)
        for area in known.areas
        for c in area.competencies
    }


def of(framework: str, competency: str) -> Mapping[str, int] | None:
    """Target level per role for a competence, or None when none is known."""
    found = _competences(framework).get(competency)
    return found[1] if found else None


def title(framework: str, code: str, lang: str) -> str:
    """A framework's, an area's or a competence's title in ``lang``; its code if unknown."""
    known = _known().get(framework)
    if known is None:
        return code
    if code == framework:
        return known.title.get(lang)
    for area in known.areas:
        if area.code == code:
            return area.title.get(lang)
    found = _competences(framework).get(code)
    return found[2].get(lang) if found else code


def scale(framework: str) -> int:
    """The top level of a framework's scale (10, the most any event may carry, if unknown)."""
    known = _known().get(framework)
    return known.max_level if known else 10
