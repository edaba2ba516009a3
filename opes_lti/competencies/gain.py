"""The knowledge gap closed (divario conoscitivo colmato): pre/post arithmetic, pure.

Only matched pairs count: a learner's pre and post answer on the same competence. The
normalised gain g = (post − pre) / (max − pre) measures how much of the room to grow was
used; a learner already at the maximum before has no room and is counted apart. Cells
with fewer than ``k`` learners are suppressed, so no one can be recognised in a report.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

#: Smallest number of learners a reported cell may describe.
DEFAULT_K = 5


@dataclass(frozen=True)
class Answer:
    """One self-assessed level, as the events carry it."""

    learner: str
    competency: str
    phase: Literal["pre", "post"]
    level: int
    max_level: int
    role: str | None = None


@dataclass(frozen=True)
class Pair:
    """A learner's pre and post level on one competence."""

    learner: str
    competency: str
    pre: int
    post: int
    max_level: int
    role: str | None = None

    @property
    def gain(self) -> float | None:
        """Normalised gain; None when there was no room to grow."""
        return normalised_gain(self.pre, self.post, self.max_level)


def normalised_gain(pre: int, post: int, max_level: int) -> float | None:
    """(post − pre) / (max − pre), or None when pre is already the maximum."""
    if not 0 <= pre <= max_level or not 0 <= post <= max_level:
        raise ValueError("levels lie between 0 and max_level")
    if pre == max_level:
        return None
    return (post - pre) / (max_level - pre)


def match_pairs(answers: Iterable[Answer]) -> list[Pair]:
    """Pairs of (learner, competency) that have both phases.

    A later answer of the same phase replaces an earlier one (a learner may correct
    themselves); a competence whose scale changed between the phases is not compared.
    """
    latest: dict[tuple[str, str], dict[str, Answer]] = defaultdict(dict)
    for answer in answers:
        latest[(answer.learner, answer.competency)][answer.phase] = answer
    pairs = []
    for (learner, competency), phases in latest.items():
        if "pre" in phases and "post" in phases:
            pre, post = phases["pre"], phases["post"]
            if pre.max_level != post.max_level:
                continue  # a scale changed between the phases: not comparable
            pairs.append(
                Pair(
                    learner, competency, pre.level, post.level, pre.max_level, post.role or pre.role
                )
            )
    return sorted(pairs, key=lambda p: (p.competency, p.learner))


@dataclass(frozen=True)
class CellStats:
    """Aggregates of one cell (a competence, optionally within a group of learners)."""

    n: int
    suppressed: bool
    #: Learners at the maximum before: counted, not in the gain.
    n_at_max: int = 0
    mean_pre: float | None = None
    mean_post: float | None = None
    mean_difference: float | None = None
    mean_gain: float | None = None
    #: Cohen's d for paired samples (mean difference / its standard deviation).
    effect_size: float | None = None
    #: Share of learners with a target for their role who reached it after.
    share_reaching_target: float | None = None


def aggregate(
    pairs: Iterable[Pair], targets: Mapping[str, int] | None = None, k: int = DEFAULT_K
) -> CellStats:
    """The statistics of a cell, or only its size when it is smaller than ``k``."""
    cell = list(pairs)
    n = len(cell)
    if n < k or n == 0:
        return CellStats(n=n, suppressed=True)
    differences = [p.post - p.pre for p in cell]
    gains = [g for p in cell if (g := p.gain) is not None]
    effect = None
    if n > 1:
        spread = statistics.stdev(differences)
        if spread > 0:
            effect = statistics.fmean(differences) / spread
    with_target = [p for p in cell if targets and p.role in targets]
    share = None
    if with_target:
        reached = len([p for p in with_target if targets and p.role and p.post >= targets[p.role]])
        share = reached / len(with_target)
    return CellStats(
        n=n,
        suppressed=False,
        n_at_max=n - len(gains),
        mean_pre=statistics.fmean(p.pre for p in cell),
        mean_post=statistics.fmean(p.post for p in cell),
        mean_difference=statistics.fmean(differences),
        mean_gain=statistics.fmean(gains) if gains else None,
        effect_size=effect if effect is None or math.isfinite(effect) else None,
        share_reaching_target=share,
    )


def by_competency(
    pairs: Iterable[Pair], targets: Mapping[str, int] | None = None, k: int = DEFAULT_K
) -> dict[str, CellStats]:
    """One cell per competence."""
    cells: dict[str, list[Pair]] = defaultdict(list)
    for pair in pairs:
        cells[pair.competency].append(pair)
    return {code: aggregate(cell, targets, k) for code, cell in sorted(cells.items())}
