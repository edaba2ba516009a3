"""WebPA: a group's grade adjusted by how its members rated each other (pure).

Each rater's marks are normalised by that rater's total, so everyone has the same
weight to give. A member's WebPA score is the sum of the fractions they received, times
members over raters who rated (so a group where someone did not rate is not pulled
down). Their grade is score x w x G + (1 - w) x G, capped to the scale, and a member who
did not rate loses the penalty fraction of it. A rater who gave no marks at all did not
rate; when nobody rated, everyone gets the group's grade.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Adjusted:
    """One member's grade and its parts."""

    member: str
    score: float
    grade: float
    rated: bool


def scores(members: Sequence[str], marks: Mapping[str, Mapping[str, float]]) -> dict[str, float]:
    """Each member's WebPA score (1.0 for everyone when nobody rated)."""
    raters = [r for r in members if sum(marks.get(r, {}).get(m, 0) for m in members) > 0]
    if not raters:
        return dict.fromkeys(members, 1.0)
    received = dict.fromkeys(members, 0.0)
    for rater in raters:
        given = marks[rater]
        total = sum(given.get(m, 0) for m in members)
        for member in members:
            received[member] += given.get(member, 0) / total
    fudge = len(members) / len(raters)
    return {m: received[m] * fudge for m in members}


def grades(
    members: Sequence[str],
    marks: Mapping[str, Mapping[str, float]],
    group_grade: float,
    *,
    weight: float = 0.5,
    penalty: float = 0.0,
    scale_max: float = 100.0,
) -> list[Adjusted]:
    """Each member's grade from the group's, ``weight`` of it by peer assessment."""
    if not 0 <= weight <= 1 or not 0 <= penalty <= 1:
        raise ValueError("the weight and the penalty are fractions between 0 and 1")
    found = scores(members, marks)
    out = []
    for member in members:
        rated = sum(marks.get(member, {}).get(m, 0) for m in members) > 0
        grade = found[member] * weight * group_grade + (1 - weight) * group_grade
        grade = min(grade, scale_max)
        if not rated:
            grade *= 1 - penalty
        out.append(Adjusted(member, found[member], grade, rated))
    return out
