"""A matched pair kept current as answers arrive in any order (pure).

The dashboard never rereads a learner's answers: it keeps, per learner, competence and
course, the latest answer of each phase, and turns that into the pair's contribution to
its cells. "Latest" is by the moment the answer was given, then by event id, so the same
answers give the same pair whatever order they arrive in, and an answer sent again
changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

from opes_lti.competencies.gain import Pair, Sums

#: What a pair is reported by, besides its competence: '' where the answer said nothing.
DIMENSIONS = ("region", "organisation", "role", "course", "platform", "month")


@dataclass(frozen=True)
class Answered:
    """One answer of one phase, with what the report groups it by."""

    level: int
    max_level: int
    at: datetime
    event: str
    role: str = ""
    organisation: str = ""
    region: str = ""
    platform: str = ""

    def newer_than(self, other: Answered | None) -> bool:
        """Whether this answer replaces ``other`` (later, or as late with a larger id)."""
        return other is None or (self.at, self.event) > (other.at, other.event)


@dataclass(frozen=True)
class PairState:
    """The latest answer of each phase for one learner, competence and course."""

    learner: str
    competency: str
    course: str = ""
    pre: Answered | None = None
    post: Answered | None = None

    def answered(self, phase: Literal["pre", "post"], answer: Answered) -> PairState:
        """The state after ``answer``: replaced when the answer is newer, else unchanged."""
        if not answer.newer_than(getattr(self, phase)):
            return self
        return replace(self, pre=answer) if phase == "pre" else replace(self, post=answer)

    def pair(self) -> Pair | None:
        """The matched pair, or None without both phases or when the scale changed."""
        pre, post = self.pre, self.post
        if pre is None or post is None or pre.max_level != post.max_level:
            return None
        return Pair(
            self.learner,
            self.competency,
            pre.level,
            post.level,
            pre.max_level,
            post.role or pre.role or None,
        )

    def dimensions(self) -> dict[str, str]:
        """What the pair is reported by: the post answer's, else the pre answer's.

        The pair belongs to the month of its post answer: when the gap was closed.
        """
        pre, post = self.pre, self.post
        if pre is None or post is None:
            raise ValueError("a pair needs both phases")
        return {
            "region": post.region or pre.region,
            "organisation": post.organisation or pre.organisation,
            "role": post.role or pre.role,
            "course": self.course,
            "platform": post.platform or pre.platform,
            "month": f"{post.at:%Y-%m}",
        }

    def contribution(
        self, targets: Mapping[str, int] | None = None
    ) -> tuple[dict[str, str], Sums] | None:
        """What this state adds to its cells, or None when it is no matched pair."""
        pair = self.pair()
        if pair is None:
            return None
        return self.dimensions(), Sums.of(pair, targets)
