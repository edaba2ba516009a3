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


@dataclass(frozen=True)
class Sums:
    """A cell's totals, which add and subtract: what the dashboard's rollups keep.

    Every figure of :class:`CellStats` follows from these, so a cell kept current by adding
    and removing pairs as answers arrive (and as learners are erased) reports what
    :func:`aggregate` reports on the pairs themselves. Levels are integers, so every sum
    but the gains' is exact; the spread is computed from exact integers too.
    """

    n: int = 0
    n_at_max: int = 0
    sum_pre: int = 0
    sum_post: int = 0
    #: Sum of squared differences (post − pre)², for the effect size's spread.
    sum_diff_sq: int = 0
    sum_gain: float = 0.0
    n_target: int = 0
    n_reached: int = 0

    @classmethod
    def of(cls, pair: Pair, targets: Mapping[str, int] | None = None) -> Sums:
        """One pair's contribution."""
        gain = pair.gain
        target = targets.get(pair.role) if targets and pair.role else None
        return cls(
            n=1,
            n_at_max=1 if gain is None else 0,
            sum_pre=pair.pre,
            sum_post=pair.post,
            sum_diff_sq=(pair.post - pair.pre) ** 2,
            sum_gain=gain or 0.0,
            n_target=0 if target is None else 1,
            n_reached=1 if target is not None and pair.post >= target else 0,
        )

    def _combine(self, other: Sums, sign: int) -> Sums:
        return Sums(
            n=self.n + sign * other.n,
            n_at_max=self.n_at_max + sign * other.n_at_max,
            sum_pre=self.sum_pre + sign * other.sum_pre,
            sum_post=self.sum_post + sign * other.sum_post,
            sum_diff_sq=self.sum_diff_sq + sign * other.sum_diff_sq,
            sum_gain=self.sum_gain + sign * other.sum_gain,
            n_target=self.n_target + sign * other.n_target,
            n_reached=self.n_reached + sign * other.n_reached,
        )

    def __add__(self, other: Sums) -> Sums:
        return self._combine(other, 1)

    def __sub__(self, other: Sums) -> Sums:
        return self._combine(other, -1)

    def stats(self, k: int = DEFAULT_K) -> CellStats:
        """The cell's figures, as :func:`aggregate` gives them for the same pairs."""
        n = self.n
        if n < k or n == 0:
            return CellStats(n=n, suppressed=True)
        sum_diff = self.sum_post - self.sum_pre
        effect = None
        spread_n = n * self.sum_diff_sq - sum_diff * sum_diff  # n²·(n−1)/n · sample variance
        if n > 1 and spread_n > 0:
            effect = (sum_diff / n) / math.sqrt(spread_n / (n * (n - 1)))
        with_gain = n - self.n_at_max
        return CellStats(
            n=n,
            suppressed=False,
            n_at_max=self.n_at_max,
            mean_pre=self.sum_pre / n,
            mean_post=self.sum_post / n,
            mean_difference=sum_diff / n,
            mean_gain=self.sum_gain / with_gain if with_gain else None,
            effect_size=effect,
            share_reaching_target=self.n_reached / self.n_target if self.n_target else None,
        )


def band(mean_gain: float | None) -> Literal["low", "medium", "high"] | None:
    """Hake's bands of the normalised gain: low < 0.3 ≤ medium < 0.7 ≤ high."""
    if mean_gain is None:
        return None
    return "low" if mean_gain < 0.3 else "medium" if mean_gain < 0.7 else "high"
