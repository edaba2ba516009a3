"""A rubric: criteria with levels worth points, and the score a review gives (pure)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


class RubricError(ValueError):
    """A rubric or a review that cannot be used: ``what`` says why, ``criterion`` where."""

    def __init__(self, what: str, criterion: str = "") -> None:
        super().__init__(f"{what}: {criterion}" if criterion else what)
        self.what = what
        self.criterion = criterion


@dataclass(frozen=True)
class Level:
    """One level of a criterion, worth ``points``."""

    label: str
    points: float


@dataclass(frozen=True)
class Criterion:
    """What a review judges, with its levels from the lowest."""

    code: str
    title: str
    levels: tuple[Level, ...]

    @property
    def most(self) -> float:
        """The points of its best level."""
        return max(level.points for level in self.levels)


@dataclass(frozen=True)
class Rubric:
    """The criteria a review scores; every one must be scored."""

    criteria: tuple[Criterion, ...]

    def __post_init__(self) -> None:
        codes = [c.code for c in self.criteria]
        if not codes:
            raise RubricError("no_criteria")
        for code in codes:
            if not code or codes.count(code) > 1:
                raise RubricError("criterion_code", code)
        for c in self.criteria:
            if len(c.levels) < 2:
                raise RubricError("too_few_levels", c.code)
            if any(level.points < 0 for level in c.levels):
                raise RubricError("negative_points", c.code)
        if self.most <= 0:
            raise RubricError("no_points")

    @property
    def most(self) -> float:
        """The best score a review can give."""
        return sum(c.most for c in self.criteria)

    def score(self, chosen: Mapping[str, int]) -> float:
        """The points of a review that chose, per criterion code, a level (from 0)."""
        unknown = sorted(set(chosen) - {c.code for c in self.criteria})
        if unknown:
            raise RubricError("unknown_criterion", unknown[0])
        total = 0.0
        for c in self.criteria:
            if c.code not in chosen:
                raise RubricError("unscored", c.code)
            index = chosen[c.code]
            if not 0 <= index < len(c.levels):
                raise RubricError("no_such_level", c.code)
            total += c.levels[index].points
        return total

    def grade(self, scores: Sequence[float], scale: float = 100.0) -> float | None:
        """The work's grade on ``scale`` from its reviews' mean score; None without any."""
        if not scores:
            return None
        return sum(scores) / len(scores) / self.most * scale
