"""The self-assessment questionnaire, pure: screens, answers, progress, result, events.

The LTI activity and the XBlock both drive this module, so the two faces cannot drift
apart: they differ only in where answers are kept and how pages are drawn.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from opes_lti.competencies.framework import Area, Competency, Framework
from opes_lti.competencies.gain import normalised_gain
from opes_lti.events.domain import (
    Actor,
    Context,
    SelfAssessmentPayload,
    SelfAssessmentSubmitted,
)

Phase = Literal["pre", "post"]
Display = Literal["competency", "area"]
PHASES: tuple[Phase, ...] = ("pre", "post")
DISPLAYS: tuple[Display, ...] = ("competency", "area")
#: Event ids are UUIDv5 under this namespace: re-sending a submission repeats its ids.
EVENT_NAMESPACE = uuid.UUID("0c9f3c56-5a8e-4b7e-9d55-3e2b6d1f7a01")


class AnswerError(ValueError):
    """An answer that does not fit the questionnaire (unknown competence, level off scale)."""


@dataclass(frozen=True)
class Screen:
    """What one page asks: one competence, or every competence of an area."""

    index: int
    area: Area
    competencies: tuple[Competency, ...]


@dataclass(frozen=True)
class Setup:
    """One placement of the questionnaire, as the designer configured it."""

    framework: Framework
    phase: Phase = "pre"
    #: Area codes to ask; empty means every area.
    areas: tuple[str, ...] = ()
    display: Display = "competency"

    def items(self) -> list[tuple[Area, Competency]]:
        """The competences asked, in order, with their areas."""
        return list(self.framework.competencies(self.areas or None))

    def screens(self) -> list[Screen]:
        """The pages, in order."""
        if self.display == "area":
            grouped: dict[str, tuple[Area, list[Competency]]] = {}
            for area, competency in self.items():
                grouped.setdefault(area.code, (area, []))[1].append(competency)
            return [
                Screen(i, area, tuple(comps)) for i, (area, comps) in enumerate(grouped.values())
            ]
        return [Screen(i, area, (comp,)) for i, (area, comp) in enumerate(self.items())]

    def asked(self) -> list[Competency]:
        """The competences asked, in order."""
        return [competency for _, competency in self.items()]

    def codes(self) -> list[str]:
        """Codes of the competences asked."""
        return [competency.code for competency in self.asked()]


class SetupError(ValueError):
    """A placement's settings do not make a questionnaire; ``problems`` names each one."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def configure(
    framework: Framework,
    phase: object = "pre",
    display: object = "competency",
    areas: str | Iterable[str] | None = None,
) -> Setup:
    """A placement's setup from the designer's values, as either face received them.

    Both faces call this (the LTI launch's custom parameters, the block's Studio form and
    its stored fields), so a value one refuses the other refuses too.
    """
    problems = []
    if phase not in PHASES:
        problems.append(f"phase: {phase!r} is not pre or post")
    if display not in DISPLAYS:
        problems.append(f"display: {display!r} is not competency or area")
    if problems:
        raise SetupError(problems)
    return Setup(
        framework,
        "post" if phase == "post" else "pre",
        parse_areas(areas, framework),
        "area" if display == "area" else "competency",
    )


#: Why a submission is held back; each face words it in the learner's language.
Refusal = Literal["incomplete", "needs_organisation"]


def submission_refused(
    setup: Setup, answers: Mapping[str, int], organisation: str | None
) -> Refusal | None:
    """What stops these answers being submitted, or None when they may go."""
    if not is_complete(setup, answers):
        return "incomplete"
    if setup.framework.scope == "organisation" and not organisation:
        return "needs_organisation"
    return None


def record(setup: Setup, answers: Mapping[str, int], given: Mapping[str, Any]) -> dict[str, int]:
    """``answers`` with ``given`` applied; :class:`AnswerError` if any does not fit.

    Nothing is applied unless everything fits, so a bad request changes nothing.
    ``None`` or "" clears an answer (a learner may take one back before submitting).
    """
    asked = set(setup.codes())
    top = setup.framework.max_level
    updated = dict(answers)
    for code, raw in given.items():
        if code not in asked:
            raise AnswerError(f"{code!r} is not asked in this questionnaire")
        if raw is None or raw == "":
            updated.pop(code, None)
            continue
        level = _level(raw)
        if level is None or not 1 <= level <= top:
            raise AnswerError(f"the level of {code!r} must be a whole number from 1 to {top}")
        updated[code] = level
    return updated


def _level(raw: Any) -> int | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str) and raw.strip().isdigit():
        return int(raw)
    return None


def progress(setup: Setup, answers: Mapping[str, int]) -> tuple[int, int]:
    """(answered, asked)."""
    codes = setup.codes()
    return sum(1 for code in codes if code in answers), len(codes)


def is_complete(setup: Setup, answers: Mapping[str, int]) -> bool:
    """Every competence asked has a level."""
    answered, asked = progress(setup, answers)
    return answered == asked


def resume_at(setup: Setup, answers: Mapping[str, int]) -> int:
    """The first screen with a question left open (the last screen if none is)."""
    screens = setup.screens()
    for screen in screens:
        if any(c.code not in answers for c in screen.competencies):
            return screen.index
    return len(screens) - 1


@dataclass(frozen=True)
class Row:
    """One competence in the learner's result."""

    area: Area
    competency: Competency
    level: int
    target: int | None
    pre: int | None = None

    @property
    def difference(self) -> int | None:
        """Post minus pre, when both exist."""
        return None if self.pre is None else self.level - self.pre

    def gain(self, max_level: int) -> float | None:
        """Normalised gain since pre; None without pre or with pre at the top."""
        return None if self.pre is None else normalised_gain(self.pre, self.level, max_level)

    @property
    def reaches_target(self) -> bool | None:
        """Whether the level meets the role's target (None without one)."""
        return None if self.target is None else self.level >= self.target


def result(
    setup: Setup,
    answers: Mapping[str, int],
    role: str | None,
    pre_answers: Mapping[str, int] | None = None,
) -> list[Row]:
    """The learner's levels against their role's target, and growth since pre if given."""
    rows = []
    for area, competency in setup.items():
        if competency.code in answers:
            rows.append(
                Row(
                    area,
                    competency,
                    answers[competency.code],
                    competency.target(role),
                    (pre_answers or {}).get(competency.code),
                )
            )
    return rows


def events(
    setup: Setup,
    answers: Mapping[str, int],
    submission: str,
    actor: Actor,
    context: Context,
    source: str,
    occurred_at: datetime,
) -> list[SelfAssessmentSubmitted]:
    """One outcome event per competence answered, with phase and framework version.

    ``submission`` names this answer set (placement, learner, phase): the event ids derive
    from it, so emitting a submission again adds nothing downstream.
    """
    framework = setup.framework
    organisation_scope = framework.scope == "organisation"
    if organisation_scope and actor.organisation is None:
        raise AnswerError("an organisational self-assessment needs the learner's organisation")
    out = []
    for area, competency in setup.items():
        if competency.code not in answers:
            continue
        out.append(
            SelfAssessmentSubmitted(
                id=uuid.uuid5(EVENT_NAMESPACE, f"{submission}\x1f{competency.code}"),
                type="self_assessment.submitted",
                occurred_at=occurred_at,
                source=source,
                actor=actor,
                context=context,
                payload=SelfAssessmentPayload(
                    framework=framework.id,
                    framework_version=framework.version,
                    competency=competency.code,
                    area=area.code,
                    level=answers[competency.code],
                    max_level=framework.max_level,
                    phase=setup.phase,
                    scope="organisation" if organisation_scope else "person",
                    organisation=actor.organisation if organisation_scope else None,
                ),
            )
        )
    return out


def completion_score(setup: Setup, answers: Mapping[str, int]) -> float:
    """The grade: the share of competences answered (a self-assessment has no right answer)."""
    answered, asked = progress(setup, answers)
    return answered / asked if asked else 0.0


def parse_areas(value: str | Iterable[str] | None, framework: Framework) -> tuple[str, ...]:
    """Area codes from a setting ("PS,GO" or a list), keeping only the framework's own."""
    if value is None:
        return ()
    items = value.split(",") if isinstance(value, str) else list(value)
    known = {area.code for area in framework.areas}
    return tuple(code.strip() for code in items if code.strip() in known)
