"""Competency frameworks (quadri di competenze), pure: areas, competences, levels.

A framework assesses a person (a manager or a volunteer of an organisation) or an
organisation (filled in once by its manager). Every text a person reads is kept in Italian
and, where written, in English; Italian is required, since it is the programme's language.
The XBlocks import this module too, so it needs nothing beyond the standard library.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Literal

Scope = Literal["person", "organisation"]
#: Roles in an organisation that a target level is set for (dirigente, volontario, operatore).
ROLES = ("manager", "volunteer", "staff")
LANGUAGES = ("it", "en")
#: Codes are short and safe in URLs, CSV cells and event identifiers.
CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
MAX_LEVELS = 10


@dataclass(frozen=True)
class Text:
    """A text in Italian with its English translation (empty when not written yet)."""

    it: str
    en: str = ""

    def get(self, language: str) -> str:
        """The text in ``language``, falling back to Italian."""
        return (self.en or self.it) if language == "en" else self.it

    @classmethod
    def of(cls, values: Mapping[str, str]) -> Text:
        """From ``{"it": ..., "en": ...}``."""
        return cls(values.get("it", ""), values.get("en", ""))

    def as_dict(self) -> dict[str, str]:
        """``{"it": ..., "en": ...}`` without empty translations."""
        return {k: v for k, v in (("it", self.it), ("en", self.en)) if v}


#: No text: the default description.
NO_TEXT = Text("")


@dataclass(frozen=True)
class Competency:
    """One competence: what it is, what each level looks like, and the level expected."""

    code: str
    title: Text
    description: Text
    #: Behavioural descriptor for each level, 1..max.
    descriptors: tuple[Text, ...]
    #: Target level per role (manager, volunteer, staff); a role left out has none.
    targets: Mapping[str, int] = field(default_factory=dict)

    def target(self, role: str | None) -> int | None:
        """The level expected of ``role``, if one is set."""
        return self.targets.get(role) if role else None


@dataclass(frozen=True)
class Area:
    """A group of competences (area di competenza)."""

    code: str
    title: Text
    competencies: tuple[Competency, ...]


@dataclass(frozen=True)
class Framework:
    """A versioned framework. Answers name it by ``id`` and ``version``."""

    id: str
    version: str
    title: Text
    scope: Scope
    #: Names of the levels of the scale, 1..max (Base, Intermedio…).
    levels: tuple[Text, ...]
    areas: tuple[Area, ...]
    description: Text = NO_TEXT

    @property
    def max_level(self) -> int:
        """The top of the scale."""
        return len(self.levels)

    def competencies(self, areas: Iterable[str] | None = None) -> Iterator[tuple[Area, Competency]]:
        """Every competence with its area, in order; only ``areas`` when given."""
        wanted = set(areas) if areas is not None else None
        for area in self.areas:
            if wanted is None or area.code in wanted:
                for competency in area.competencies:
                    yield area, competency

    def competency(self, code: str) -> Competency | None:
        """The competence with ``code``."""
        return next((c for _, c in self.competencies() if c.code == code), None)

    def area_of(self, code: str) -> Area | None:
        """The area holding the competence ``code``."""
        return next((a for a, c in self.competencies() if c.code == code), None)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an imported file, located as a person would look for it."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class FrameworkError(ValueError):
    """A framework file that cannot be used; ``problems`` lists every fault found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems[:20]))


def check(framework: Framework, where: str = "framework") -> list[Problem]:
    """What is wrong with a framework built in code or read from a file (empty if nothing)."""
    problems: list[Problem] = []

    def bad(place: str, message: str) -> None:
        problems.append(Problem(place, message))

    for name, value in (("id", framework.id), ("version", framework.version)):
        if not CODE.match(value):
            bad(f"{where}.{name}", "use letters, digits, '.', '_' or '-' (at most 64)")
    if not framework.title.it.strip():
        bad(f"{where}.title", "the Italian title is missing")
    if not 2 <= framework.max_level <= MAX_LEVELS:
        bad(f"{where}.levels", f"a scale has 2 to {MAX_LEVELS} levels")
    if not framework.areas:
        bad(f"{where}.areas", "a framework needs at least one area")
    seen: set[str] = set()
    for area in framework.areas:
        if not CODE.match(area.code):
            bad(f"area {area.code!r}", "the code must be letters, digits, '.', '_' or '-'")
        if area.code in seen:
            bad(f"area {area.code!r}", "this code is used twice")
        seen.add(area.code)
        if not area.title.it.strip():
            bad(f"area {area.code!r}", "the Italian title is missing")
        if not area.competencies:
            bad(f"area {area.code!r}", "an area needs at least one competence")
        for competency in area.competencies:
            problems.extend(_check_competency(competency, framework.max_level, seen))
    return problems


def _check_competency(competency: Competency, max_level: int, seen: set[str]) -> list[Problem]:
    place = f"competence {competency.code!r}"
    problems = []
    if not CODE.match(competency.code):
        problems.append(Problem(place, "the code must be letters, digits, '.', '_' or '-'"))
    if competency.code in seen:
        problems.append(Problem(place, "this code is used twice"))
    seen.add(competency.code)
    if not competency.title.it.strip():
        problems.append(Problem(place, "the Italian title is missing"))
    if len(competency.descriptors) != max_level:
        problems.append(
            Problem(
                place, f"{len(competency.descriptors)} level descriptors for {max_level} levels"
            )
        )
    for level, descriptor in enumerate(competency.descriptors, start=1):
        if not descriptor.it.strip():
            problems.append(Problem(place, f"the Italian descriptor of level {level} is missing"))
    for role, level in competency.targets.items():
        if role not in ROLES:
            problems.append(Problem(place, f"unknown role {role!r} (use {', '.join(ROLES)})"))
        elif not 1 <= level <= max_level:
            problems.append(Problem(place, f"target for {role} must lie between 1 and {max_level}"))
    return problems


def validated(framework: Framework) -> Framework:
    """``framework`` if it passes :func:`check`; else :class:`FrameworkError`."""
    problems = check(framework)
    if problems:
        raise FrameworkError(problems)
    return framework
