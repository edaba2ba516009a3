"""Groups formed from a course's roster (pure, deterministic for a seed).

Sizes first: the fewest groups that keep everyone within the maximum, filled evenly, is
within the bounds whenever any number of groups is (if k groups fit, so does the
smallest k with n <= k x max, since then k x min <= n). Mixing second: members are dealt
round the groups like cards, the most common organisation (or region) first, so a
group holds as few people of one kind as the roster allows. What could not be met is
reported, never silently given up.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

Method = Literal["random", "mix_organisations", "mix_regions", "by_community"]
METHODS: tuple[Method, ...] = ("random", "mix_organisations", "mix_regions", "by_community")


@dataclass(frozen=True)
class Member:
    """A learner on the roster, with what groups are mixed or formed by."""

    id: str
    organisation: str = ""
    region: str = ""
    community: str = ""


@dataclass(frozen=True)
class Bounds:
    """How many members a group has, at least and at most."""

    least: int
    most: int

    def __post_init__(self) -> None:
        if not 1 <= self.least <= self.most:
            raise ValueError("a group has at least 1 member and least <= most")

    def fits(self, size: int) -> bool:
        """Whether a group of ``size`` is within the bounds."""
        return self.least <= size <= self.most


@dataclass(frozen=True)
class Unmet:
    """What could not be met, for the page to say in the reader's language.

    ``sizes``: ``people`` cannot all be in groups within the bounds. ``mixing``: group
    ``group`` (from 1) holds ``people`` of ``kind``, more than an even spread would.
    ``community``: where the groups were formed within one community, which.
    """

    what: Literal["sizes", "mixing"]
    people: int
    group: int = 0
    kind: str = ""
    community: str | None = None


@dataclass
class Formation:
    """The groups (member ids), and what could not be met."""

    groups: list[list[str]]
    unmet: list[Unmet] = field(default_factory=list)


def group_count(n: int, bounds: Bounds) -> int:
    """The fewest groups keeping everyone within the maximum (0 for nobody)."""
    return math.ceil(n / bounds.most) if n else 0


def feasible(n: int, bounds: Bounds) -> bool:
    """Whether ``n`` people can all be in groups within the bounds."""
    return n == 0 or group_count(n, bounds) * bounds.least <= n


def _sizes(n: int, groups: int) -> list[int]:
    base, extra = divmod(n, groups)
    return [base + 1 if g < extra else base for g in range(groups)]


def _kind(member: Member, method: Method) -> str:
    if method == "mix_organisations":
        return member.organisation
    if method == "mix_regions":
        return member.region
    return ""


def _deal(members: list[Member], bounds: Bounds, method: Method, rng: random.Random) -> Formation:
    """Deal ``members`` round groups of even sizes, the most common kind first."""
    count = group_count(len(members), bounds)
    if not count:
        return Formation([])
    unmet = [] if feasible(len(members), bounds) else [Unmet("sizes", len(members))]
    room = _sizes(len(members), count)
    by_kind: dict[str, list[Member]] = defaultdict(list)
    for member in members:
        by_kind[_kind(member, method)].append(member)
    order = sorted(by_kind, key=lambda k: (-len(by_kind[k]), k))
    groups: list[list[str]] = [[] for _ in range(count)]
    turn = 0
    for kind in order:
        crowd = by_kind[kind]
        rng.shuffle(crowd)
        for member in crowd:
            while len(groups[turn]) >= room[turn]:
                turn = (turn + 1) % count
            groups[turn].append(member.id)
            turn = (turn + 1) % count
    if method in ("mix_organisations", "mix_regions"):
        unmet += _crowded(groups, members, method)
    return Formation(groups, unmet)


def _crowded(groups: list[list[str]], members: list[Member], method: Method) -> list[Unmet]:
    """Groups holding more of one kind than an even spread would."""
    kind_of = {m.id: _kind(m, method) for m in members}
    totals: dict[str, int] = defaultdict(int)
    for m in members:
        totals[kind_of[m.id]] += 1
    found = []
    for number, group in enumerate(groups, start=1):
        held: dict[str, int] = defaultdict(int)
        for who in group:
            held[kind_of[who]] += 1
        for kind, n in sorted(held.items()):
            if kind and n > math.ceil(totals[kind] / len(groups)):
                found.append(Unmet("mixing", n, number, kind))
    return found


def form(
    roster: Iterable[Member], bounds: Bounds, method: Method = "random", seed: int = 0
) -> Formation:
    """Groups from ``roster`` by ``method``; the same roster and seed give the same groups."""
    members = sorted({m.id: m for m in roster}.values(), key=lambda m: m.id)
    rng = random.Random(seed)  # noqa: S311 - a reproducible shuffle, not a secret
    if method != "by_community":
        return _deal(members, bounds, method, rng)
    formed = Formation([])
    by_community: dict[str, list[Member]] = defaultdict(list)
    for member in members:
        by_community[member.community].append(member)
    for community in sorted(by_community):
        part = _deal(by_community[community], bounds, "mix_organisations", rng)
        first = len(formed.groups)
        formed.groups += part.groups
        formed.unmet += [
            replace(u, group=u.group + first if u.group else 0, community=community)
            for u in part.unmet
        ]
    return formed


def place(groups: Sequence[Sequence[str]], member: Member, roster: Sequence[Member],
          bounds: Bounds, method: Method = "random") -> int | None:  # fmt: skip
    """The group a late joiner goes to (its index), or None: a new group is needed.

    A group with room, holding the fewest of the joiner's kind, then the smallest.
    """
    kind_of = {m.id: _kind(m, method) for m in roster}
    mine = _kind(member, method)
    open_ = [g for g, members in enumerate(groups) if len(members) < bounds.most]
    if not open_:
        return None

    def crowding(g: int) -> tuple[int, int, int]:
        same = sum(1 for who in groups[g] if mine and kind_of.get(who) == mine)
        return same, len(groups[g]), g

    return min(open_, key=crowding)
