"""Which group reviews which, so that every group receives its reviews (pure).

Each group gives ``gives`` reviews and needs ``needs`` (gives >= needs): group i reviews
the ``gives`` groups after it in a shuffled circle, so everyone gives and receives
exactly ``gives``, never their own work, and the spare reviews absorb groups that do not
review. After the reviewing date, :func:`reassign` moves the reviews still owed by
groups that reviewed nothing to groups that did, to the work that lacks reviews the most;
what still lacks reviews after that goes to the instructor (:func:`waiting`).
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

Assignment = tuple[str, str]  # reviewer, reviewed


def assign(groups: Sequence[str], gives: int, seed: int = 0) -> list[Assignment]:
    """Every group reviews ``gives`` others; each is reviewed ``gives`` times."""
    circle = sorted(set(groups))
    if gives < 0 or (circle and gives > len(circle) - 1):
        raise ValueError(f"with {len(circle)} groups, each can review 0 to {len(circle) - 1}")
    random.Random(seed).shuffle(circle)  # noqa: S311 - a reproducible draw, not a secret
    n = len(circle)
    return [(circle[i], circle[(i + step) % n]) for i in range(n) for step in range(1, gives + 1)]


def received(assignments: Iterable[Assignment], done: set[Assignment]) -> Counter[str]:
    """Reviews each group has received so far."""
    return Counter(reviewed for reviewer, reviewed in assignments if (reviewer, reviewed) in done)


def reassign(
    assignments: Sequence[Assignment], done: set[Assignment], needs: int
) -> list[Assignment]:
    """After the date: reviews owed by groups that reviewed nothing, moved to groups that did.

    A moved review goes to the work with the fewest reviews, from a reviewer that has not
    reviewed it yet and is not its author; the reviewers who did their part take turns.
    """
    reviewers = {r for r, _ in assignments}
    active = sorted({r for r, _ in done})
    idle = reviewers - set(active)
    kept = [a for a in assignments if a[0] not in idle or a in done]
    if not active:
        return kept
    count = received(kept, done)
    pending = Counter(reviewed for r, reviewed in kept if (r, reviewed) not in done)
    owed = sorted(
        reviewed for r, reviewed in assignments if r in idle and (r, reviewed) not in done
    )
    load: Counter[str] = Counter()
    taken = set(kept)
    for reviewed in owed:
        if count[reviewed] + pending[reviewed] >= needs:
            continue  # enough reviews are done or on their way
        candidates = [r for r in active if r != reviewed and (r, reviewed) not in taken]
        if not candidates:
            continue
        reviewer = min(candidates, key=lambda r: (load[r], r))
        kept.append((reviewer, reviewed))
        taken.add((reviewer, reviewed))
        load[reviewer] += 1
        pending[reviewed] += 1
    return kept


@dataclass(frozen=True)
class Waiting:
    """A group's work still short of reviews, and who owes them."""

    group: str
    received: int
    owed_by: tuple[str, ...]


def waiting(
    assignments: Iterable[Assignment],
    done: set[Assignment],
    needs: int,
    groups: Iterable[str] = (),
) -> list[Waiting]:
    """Who is waiting on whom: work short of ``needs`` reviews, the fewest first.

    ``groups``: every group whose work is to be reviewed, so that work nobody is
    assigned to any more (every reviewer of it idle) is listed too, owed by no one.
    """
    listed = list(assignments)
    count = received(listed, done)
    owed: dict[str, list[str]] = defaultdict(list)
    for reviewer, reviewed in listed:
        if (reviewer, reviewed) not in done:
            owed[reviewed].append(reviewer)
    everyone = {reviewed for _, reviewed in listed} | set(groups)
    short = [g for g in everyone if count[g] < needs]
    return [
        Waiting(g, count[g], tuple(sorted(owed[g])))
        for g in sorted(short, key=lambda g: (count[g], g))
    ]
