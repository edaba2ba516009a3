"""The knowledge-gap figures a viewer may see, read from the rollups.

One query sums the cells of the cheapest grain for the view; one more per filter gives
the view without that filter, which the disclosure rules need to stop subtraction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from typing import Any, Literal, get_args

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from opes_lti.competencies.disclosure import Cells, Node, disclose
from opes_lti.competencies.framework import ROLES
from opes_lti.competencies.gain import DEFAULT_K, Sums
from opes_lti.dashboard.grains import ANY, GRAINS, cheapest
from opes_lti.dashboard.models import SUM_COLUMNS, GapCell
from opes_lti.dashboard.reach import KINDS, Reach
from opes_lti.events.domain import Context
from opes_lti.regions import REGIONS

#: The filters that narrow a view to one value of a cell dimension.
FILTERS = ("region", "organisation", "role", "community", "course", "platform")
_MONTH = re.compile(r"^20\d\d-(0[1-9]|1[0-2])$")
#: Query parameters of a page that are not filters: the language, the drill-down's area.
VIEW_PARAMETERS = {"lang", "area"}
PLATFORMS: tuple[str, ...] = get_args(Context.model_fields["platform"].annotation)


class FilterError(ValueError):
    """A filter the view cannot take, with the message a person acts on."""


@dataclass(frozen=True)
class Filters:
    """What a view is narrowed to; periods by month of the post answer, inclusive."""

    scope: Literal["person", "organisation"] = "person"
    framework: str | None = None
    region: str | None = None
    organisation: str | None = None
    role: str | None = None
    community: str | None = None
    course: str | None = None
    platform: str | None = None
    since: str | None = None
    until: str | None = None

    def __post_init__(self) -> None:
        for name in ("since", "until"):
            value = getattr(self, name)
            if value is not None and not _MONTH.match(value):
                raise FilterError(_("A month is written as YYYY-MM, for example 2026-04."))
        if self.since and self.until and self.since > self.until:
            raise FilterError(_("The period ends before it starts: swap the two months."))
        if self.region is not None and self.region not in REGIONS:
            raise FilterError(_("Choose a region from the list."))
        if self.role is not None and self.role not in ROLES:
            raise FilterError(_("Choose a role from the list."))
        if self.platform is not None and self.platform not in PLATFORMS:
            raise FilterError(_("Choose a platform from the list."))
        if any(len(getattr(self, n) or "") > 200 for n in (*FILTERS, "framework")):
            raise FilterError(_("A filter is at most 200 characters long."))

    @classmethod
    def parse(cls, args: Any) -> Filters:
        """From a page's query string; empty values are no filter."""
        names = {f.name for f in fields(cls)}
        unknown = sorted(set(args) - names - VIEW_PARAMETERS)
        if unknown:
            raise FilterError(_("This page takes no filter named %(name)s.", name=unknown[0]))
        values = {n: (args.get(n) or "").strip() or None for n in names}
        scope = values.pop("scope") or "person"
        if scope not in ("person", "organisation"):
            raise FilterError(_("Choose whose answers to show from the list."))
        return cls(scope=scope, **values)  # type: ignore[arg-type]

    def narrowing(self) -> list[str]:
        """The filters set, each of which the view could be seen without."""
        named = [n for n in FILTERS if getattr(self, n) is not None]
        return named + (["period"] if self.since or self.until else [])

    def without(self, name: str) -> Filters:
        """The same view without one filter."""
        if name == "period":
            return replace(self, since=None, until=None)
        if name not in FILTERS:
            raise ValueError(f"no filter {name!r}")
        cleared: dict[str, Any] = {name: None}
        return replace(self, **cleared)


def cells(db: Session, reach: Reach, filters: Filters) -> dict[tuple[str, str, str], Sums]:
    """Sums per (framework, area, competency) of the view, within the viewer's reach."""
    if reach.empty:
        return {}
    dims = {n for n in FILTERS if getattr(filters, n) is not None} | reach.dimensions
    grain = cheapest(dims | {"month"})
    cell = GapCell.__table__.c
    where = [cell.grain == grain, cell.scope == filters.scope]
    if filters.framework:
        where.append(cell.framework == filters.framework)
    for name in FILTERS:
        value = getattr(filters, name)
        if value is not None:
            where.append(cell[name] == value)
    if "community" in GRAINS[grain] and filters.community is None:
        where.append(cell.community == ANY)  # a learner counts once, not once per community
    if filters.since:
        where.append(cell.month >= filters.since)
    if filters.until:
        where.append(cell.month <= filters.until)
    if not reach.national:
        where += [reach.restrict(cell[dim], kind) for kind in reach.kinds if (dim := KINDS[kind])]
    query = (
        sa.select(
            cell.framework,
            cell.area,
            cell.competency,
            *(sa.func.sum(cell[c]).label(c) for c in SUM_COLUMNS),
        )
        .where(*where)
        .group_by(cell.framework, cell.area, cell.competency)
    )
    found = {}
    for row in db.execute(query):
        # PostgreSQL sums bigints as numeric: back to the integers (and float) they are.
        values: dict[str, Any] = {c: int(getattr(row, c) or 0) for c in SUM_COLUMNS}
        sums = Sums(**values | {"sum_gain": float(row.sum_gain or 0)})
        if sums.n > 0:
            found[(row.framework, row.area, row.competency)] = sums
    return found


@dataclass(frozen=True)
class GapReport:
    """A view's tree of figures, suppressed where it must be."""

    filters: Filters
    k: int
    tree: list[Node]


def report(db: Session, reach: Reach, filters: Filters, k: int = DEFAULT_K) -> GapReport:
    """The view's figures, with every disclosure rule applied."""
    if "community" in reach.kinds and filters.community is None:
        raise FilterError(_("Choose one of your communities."))
    shown: Cells = cells(db, reach, filters)
    wider = [cells(db, reach, filters.without(n)) for n in filters.narrowing()]
    return GapReport(filters, k, disclose(shown, wider, k))
