"""Each member's grade by the exercise's scheme, with its parts, and the instructor's word last.

Three schemes: the group's grade for every member; the group's grade adjusted by the
members' peer assessment (WebPA); or an instructor's grade per member. Whatever the
scheme gave, an instructor's override replaces it and its reason is kept beside it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from opes_lti.groups import webpa

Scheme = Literal["group", "webpa", "individual"]


@dataclass(frozen=True)
class Override:
    """An instructor's grade for one member, and why."""

    grade: float
    reason: str
    by: str


@dataclass(frozen=True)
class MemberGrade:
    """A member's grade and how it came: the scheme's figure, the WebPA score, the override."""

    member: str
    grade: float | None
    computed: float | None
    webpa_score: float | None = None
    rated: bool | None = None
    override: Override | None = None


def member_grades(
    scheme: Scheme,
    members: Sequence[str],
    *,
    group_grade: float | None,
    marks: Mapping[str, Mapping[str, float]] | None = None,
    individual: Mapping[str, float] | None = None,
    overrides: Mapping[str, Override] | None = None,
    weight: float = 0.5,
    penalty: float = 0.0,
    scale_max: float = 100.0,
) -> list[MemberGrade]:
    """Every member's grade; None where there is nothing to grade by yet."""
    overrides = overrides or {}
    for member, given in overrides.items():
        if member not in members:
            raise ValueError(f"{member} is not a member of this group")
        if not 0 <= given.grade <= scale_max or not given.reason.strip():
            raise ValueError("an override is a grade on the scale, with a reason")
    computed: dict[str, tuple[float | None, float | None, bool | None]] = {}
    if scheme == "webpa" and group_grade is not None:
        found = webpa.grades(
            members, marks or {}, group_grade, weight=weight, penalty=penalty, scale_max=scale_max
        )
        computed = {a.member: (a.grade, a.score, a.rated) for a in found}
    elif scheme == "individual":
        computed = {m: ((individual or {}).get(m), None, None) for m in members}
    else:
        computed = dict.fromkeys(members, (group_grade, None, None))
    out = []
    for member in members:
        figure, score, rated = computed.get(member, (None, None, None))
        over = overrides.get(member)
        grade = over.grade if over else figure
        out.append(MemberGrade(member, grade, figure, score, rated, over))
    return out
