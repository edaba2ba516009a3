"""The grains cells are kept at, and which one answers a question.

Every matched pair adds to one cell in each grain. A page asks the smallest grain that has
every dimension it filters or is scoped by, so the national view sums a few hundred rows
and only a question that combines rare dimensions reads the finest grain (still by index,
never the pairs or the events).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache

from opes_lti.competencies.pairing import DIMENSIONS
from opes_lti.dashboard.models import CELL_DIMENSIONS

#: Outside a cell's grain a dimension holds this, so one unique key serves every grain.
ANY = "*"

#: Smallest first. A pair adds to one cell per grain, and per community it belongs to in
#: the grains that have the community (a learner may be in several).
GRAINS: tuple[frozenset[str], ...] = (
    frozenset({"month"}),
    frozenset({"region", "role", "platform", "month"}),
    frozenset({"organisation", "region", "role", "month"}),
    frozenset({"course", "region", "role", "platform", "month"}),
    frozenset({"community", "region", "role", "month"}),
    frozenset(CELL_DIMENSIONS),
)


def cheapest(needed: Iterable[str]) -> int:
    """The smallest grain holding every dimension in ``needed``."""
    wanted = set(needed)
    unknown = wanted - set(CELL_DIMENSIONS)
    if unknown:
        raise ValueError(f"unknown dimensions: {sorted(unknown)}")
    return next(g for g, dims in enumerate(GRAINS) if wanted <= dims)


def cells_of(
    dimensions: dict[str, str], communities: Iterable[str], *, joined_only: bool = False
) -> Iterator[tuple[int, tuple[str, ...]]]:
    """The keys (grain, values of :data:`CELL_DIMENSIONS`) of every cell a pair adds to.

    In a grain with the community, the pair adds to the all-communities cell (:data:`ANY`)
    and to one cell per community its learner belongs to. ``joined_only``: only the
    communities' own cells, for a learner who has just joined them.
    """
    groups = sorted(set(communities)) if joined_only else [ANY, *sorted(set(communities))]
    for grain, dims in enumerate(GRAINS):
        with_community = "community" in dims
        if joined_only and not with_community:
            continue
        for community in groups if with_community else [ANY]:
            values = dimensions | {"community": community}
            yield grain, tuple(values[d] if d in dims else ANY for d in CELL_DIMENSIONS)


@lru_cache(maxsize=1 << 16)
def cell_keys(
    values: tuple[str, ...], communities: tuple[str, ...], joined_only: bool
) -> tuple[tuple[int, tuple[str, ...]], ...]:
    """:func:`cells_of` for a pair's ``values`` (of ``pairing.DIMENSIONS``), remembered.

    A programme's pairs share a few thousand combinations of place, role, course and
    month, and counting asks for each pair's cells: computing them once per combination
    was a tenth of counting's time.
    """
    dimensions = dict(zip(DIMENSIONS, values, strict=True))
    return tuple(cells_of(dimensions, communities, joined_only=joined_only))
