"""What a gap report may show: nothing about fewer than k learners, even by subtraction.

Three ways a small cell leaks, and the rule against each:

- **Directly**: a competence with fewer than ``k`` matched pairs is suppressed.
- **From its parent**: an area's figures pool its competences, so the area minus the
  shown competences gives the hidden ones together. Until they are two or more and hold
  ``k`` pairs together, the smallest shown competence is hidden too (under a hidden area
  as well, which the framework minus its other areas may give). The same holds for an area within
  its framework. An area or framework is itself suppressed when none of its parts reaches
  ``k`` on its own (its pooled pairs may count the same learner more than once).
- **From another filter**: a view narrowed by one filter (a role, a month) subtracted from
  the view without it describes the learners the filter left out. When that remainder is
  between 1 and ``k - 1`` learners for a competence, the competence is suppressed, and any
  area or framework holding it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from opes_lti.competencies.gain import DEFAULT_K, CellStats, Sums

#: (framework, area, competency) -> sums, as the rollups answer one query.
Cells = Mapping[tuple[str, str, str], Sums]


@dataclass
class Node:
    """A framework, an area or a competence, with its figures or its suppression."""

    code: str
    sums: Sums
    children: list[Node] = field(default_factory=list)
    suppressed: bool = False

    def stats(self) -> CellStats:
        """The figures shown; none, not even the count, when suppressed."""
        if self.suppressed:
            return CellStats(n=0, suppressed=True)
        return self.sums.stats(k=1)  # the rules below decided already

    @property
    def weakest(self) -> int:
        """The largest number of pairs any one competence below holds (learners, at least)."""
        if not self.children:
            return self.sums.n
        return max(child.weakest for child in self.children)


def _tree(cells: Cells) -> list[Node]:
    frameworks: dict[str, dict[str, dict[str, Sums]]] = {}
    for (framework, area, competency), sums in cells.items():
        frameworks.setdefault(framework, {}).setdefault(area, {})[competency] = sums
    tree = []
    for framework, areas in sorted(frameworks.items()):
        area_nodes = []
        for area, competences in sorted(areas.items()):
            leaves = [Node(code, s) for code, s in sorted(competences.items())]
            area_nodes.append(Node(area, _pooled(leaves), leaves))
        tree.append(Node(framework, _pooled(area_nodes), area_nodes))
    return tree


def _pooled(nodes: Iterable[Node]) -> Sums:
    total = Sums()
    for node in nodes:
        total += node.sums
    return total


def _risky(cells: Cells, narrowed_away: Iterable[Cells], k: int) -> set[tuple[str, str, str]]:
    """Competences whose remainder under some filter is 1 to k - 1 learners."""
    risky = set()
    for wider in narrowed_away:
        for key, sums in wider.items():
            left_out = sums.n - cells.get(key, Sums()).n
            if 0 < left_out < k:
                risky.add(key)
    return risky


def hidden_counts(counts: Mapping[str, int], k: int, already: Iterable[str] = ()) -> set[str]:
    """Which of ``counts`` (parts of a shown total) to hide, besides those ``already`` hidden.

    A part under ``k`` is hidden; then, because the total minus the shown parts gives the
    hidden ones together, the smallest shown part is hidden too until the hidden ones are
    two or more and hold ``k`` together.
    """
    hidden = set(already) | {name for name, n in counts.items() if 0 < n < k}
    while hidden:
        shown = [name for name in counts if name not in hidden and counts[name] > 0]
        held = sum(counts[name] for name in hidden)
        if not shown or (len(hidden) > 1 and held >= k):
            break
        hidden.add(min(shown, key=lambda name: (counts[name], name)))
    return hidden


def _complete(siblings: list[Node], k: int) -> None:
    counts = {node.code: node.sums.n for node in siblings}
    already = [node.code for node in siblings if node.suppressed]
    hide = hidden_counts(counts, k, already)
    for node in siblings:
        node.suppressed = node.code in hide


def disclose(cells: Cells, narrowed_away: Iterable[Cells] = (), k: int = DEFAULT_K) -> list[Node]:
    """The framework → area → competence tree of ``cells``, suppressed where it must be.

    ``narrowed_away`` holds, per filter of the view, the same query without that filter.
    """
    risky = _risky(cells, list(narrowed_away), k)
    tree = _tree(cells)
    for framework in tree:
        for area in framework.children:
            for leaf in area.children:
                leaf.suppressed = leaf.sums.n < k or (framework.code, area.code, leaf.code) in risky
            area.suppressed = area.weakest < k or any(
                (framework.code, area.code, leaf.code) in risky for leaf in area.children
            )
            # Even under a hidden area: the framework minus the other areas may give it.
            _complete(area.children, k)
        framework.suppressed = framework.weakest < k or any(
            (framework.code, a.code, leaf.code) in risky
            for a in framework.children
            for leaf in a.children
        )
        _complete(framework.children, k)
    return tree
