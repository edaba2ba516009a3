"""The programme at a glance, and the follow-up list, read from the facts table.

A learner-based figure (learners, questionnaires, members, attendance, the follow-up)
about fewer than k learners is hidden, as is one that the same view without one filter
would give away by subtraction. Counts of things (meetings, practices, partnerships,
interventions, organisations, regions, courses) describe no learner and are shown.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from opes_lti.competencies.disclosure import hidden_counts
from opes_lti.dashboard import facts, gap
from opes_lti.dashboard.models import Fact, FactCell, Membership
from opes_lti.dashboard.reach import KINDS, Reach

#: The programme's plan: five communities, each meeting six times (five online, one in
#: person).
COMMUNITIES_PLANNED = 5
MEETINGS_PER_COMMUNITY = {"online": 5, "in_person": 1}

#: (figure, fact kind, variant or None, whether it counts learners)
FIGURES: tuple[tuple[str, str, str | None, bool], ...] = (
    ("learners", "learner", None, True),
    ("organisations", "organisation", None, False),
    ("regions", "region", None, False),
    ("courses", "course", None, False),
    ("pre", "sa_pre", "person", True),
    ("post", "sa_post", "person", True),
    ("organisations_pre", "sa_pre", "organisation", False),
    ("organisations_post", "sa_post", "organisation", False),
    ("groups_submitted", "group_submitted", None, False),
    ("groups_graded", "group_graded", None, False),
    ("members_graded", "group_member_graded", None, True),
    ("members", "member", None, True),
    ("attendance", "attendance", None, True),
    ("meetings_online", "meeting", "online", False),
    ("meetings_in_person", "meeting", "in_person", False),
    ("practices", "practice", None, False),
    ("partnerships", "partnership", "organisation", False),
    ("partnerships_public", "partnership", "public_administration", False),
    ("interventions", "intervention", None, False),
)
#: Things a community records, which no place owns.
_PLACELESS = {"meeting", "practice", "partnership", "intervention"}
#: Things that belong to a community rather than to a learner's place.
_COMMUNITY_KINDS = {"member", "attendance", "meeting", "practice", "partnership", "intervention"}


@dataclass(frozen=True)
class Overview:
    """Totals per figure (None: hidden), and per month what was new."""

    totals: dict[str, int | None]
    months: list[tuple[str, dict[str, int | None]]]
    matched_pairs: int | None


def _where(
    reach: Reach, filters: gap.Filters, kind_column: Any, table: Any = Fact.__table__
) -> list[Any]:
    f = table.c
    # A meeting, a practice, a partnership or an intervention belongs to its community,
    # not to a place: a region or organisation filter leaves them as they are.
    placeless = kind_column.in_(sorted(_PLACELESS))
    where: list[Any] = []
    for name in ("region", "organisation"):
        value = getattr(filters, name)
        if value is not None:
            where.append(sa.or_(placeless, f[name] == value))
    for name in ("course", "platform"):
        value = getattr(filters, name)
        if value is not None:
            where.append(f[name] == value)
    if filters.community is not None:
        members = sa.select(Membership.learner).where(Membership.community == filters.community)
        where.append(
            sa.case(
                (kind_column.in_(sorted(_COMMUNITY_KINDS)), f.community == filters.community),
                else_=f.learner.in_(members),
            )
        )
    if filters.since:
        where.append(f.month >= filters.since)
    if filters.until:
        where.append(f.month <= filters.until)
    if reach.empty:
        where.append(sa.false())
    elif not reach.national:
        for kind in reach.kinds:
            dim = KINDS[kind]
            if dim == "community":
                allowed = sa.select(Membership.learner).where(
                    reach.restrict(Membership.community, kind)
                )
                where.append(
                    sa.case(
                        (
                            kind_column.in_(sorted(_COMMUNITY_KINDS)),
                            reach.restrict(f.community, kind),
                        ),
                        else_=f.learner.in_(allowed),
                    )
                )
            elif dim:
                where.append(reach.restrict(f[dim], kind))
    return where


def _by_learners_communities(reach: Reach, filters: gap.Filters) -> bool:
    """Whether the view keeps the learners of some communities, which only facts can tell."""
    return filters.community is not None or (
        not reach.national and any(KINDS[kind] == "community" for kind in reach.kinds)
    )


def _counting(reach: Reach, filters: gap.Filters) -> tuple[Any, Any, list[Any]]:
    """Where facts are counted for these filters: the table, its count, its conditions.

    The counts the triggers keep (rows bounded by the programme's shape), unless a
    community filter must look at each learner, which only the facts can.
    """
    if _by_learners_communities(reach, filters):
        facts = Fact.__table__
        return facts, sa.func.count(), _where(reach, filters, facts.c.kind)
    cells = FactCell.__table__
    return cells, sa.func.sum(cells.c.n), _where(reach, filters, cells.c.kind, cells)


def _counts(db: Session, reach: Reach, filters: gap.Filters) -> dict[tuple[str, str, str], int]:
    kinds = sorted({k for _, k, _, _ in FIGURES})
    table, count, where = _counting(reach, filters)
    c = table.c
    query = (
        sa.select(c.kind, c.variant, c.month, count)
        .where(c.kind.in_(kinds), *where)
        .group_by(c.kind, c.variant, c.month)
    )
    return {(k, v, m): int(n) for k, v, m, n in db.execute(query) if n}


def _figures(
    counts: dict[tuple[str, str, str], int],
) -> tuple[dict[str, int], dict[str, dict[str, int]]]:
    totals: dict[str, int] = {name: 0 for name, *_ in FIGURES}
    months: dict[str, dict[str, int]] = defaultdict(lambda: {name: 0 for name, *_ in FIGURES})
    for (kind, variant, month), n in counts.items():
        for name, want_kind, want_variant, _ in FIGURES:
            if kind == want_kind and want_variant in (None, variant):
                totals[name] += n
                months[month][name] += n
    return totals, dict(months)


def overview(db: Session, reach: Reach, filters: gap.Filters, k: int) -> Overview:
    """The overview of what ``reach`` may see, narrowed by ``filters``."""
    totals, months = _figures(_counts(db, reach, filters))
    wider = [_figures(_counts(db, reach, filters.without(n)))[0] for n in filters.narrowing()]
    learner_figures = [name for name, _, _, about_learners in FIGURES if about_learners]
    shown: dict[str, int | None] = dict(totals)
    for name in learner_figures:
        n = totals[name]
        if 0 < n < k or any(0 < other[name] - n < k for other in wider):
            shown[name] = None
    series = []
    hidden_by_figure = {
        name: hidden_counts({m: months[m][name] for m in months}, k) for name in learner_figures
    }
    for month in sorted(months):
        row: dict[str, int | None] = dict(months[month])
        for name in learner_figures:
            if shown[name] is None or month in hidden_by_figure[name]:
                row[name] = None
        series.append((month, row))
    pairs = sum(s.n for s in gap.cells(db, reach, filters).values())
    return Overview(shown, series, pairs if pairs == 0 or pairs >= k else None)


@dataclass(frozen=True)
class Waiting:
    """Questionnaires answered before a course and not yet after, in one course and organisation."""

    course: str
    organisation: str
    count: int | None


def follow_up(db: Session, reach: Reach, filters: gap.Filters, k: int) -> list[Waiting]:
    """Per course and organisation, how many learners still have to answer after (no names)."""
    f = Fact.__table__.c
    query = (
        sa.select(f.course, f.organisation, sa.func.count())
        .where(f.kind == facts.AWAITING, f.variant == "person", *_where(reach, filters, f.kind))
        .group_by(f.course, f.organisation)
        .order_by(f.course, f.organisation)
    )
    rows = [(c, o, n) for c, o, n in db.execute(query)]
    by_course: dict[str, dict[str, int]] = defaultdict(dict)
    for course, organisation, n in rows:
        by_course[course][organisation] = n
    hidden = {(course, o) for course, counts in by_course.items() for o in hidden_counts(counts, k)}
    return [Waiting(c, o, None if (c, o) in hidden else n) for c, o, n in rows]


def planned_meetings() -> dict[str, int]:
    """Meetings the programme plans, by mode."""
    return {mode: n * COMMUNITIES_PLANNED for mode, n in MEETINGS_PER_COMMUNITY.items()}


@dataclass(frozen=True)
class Community:
    """One community of practice: its figures and its registries."""

    name: str
    members: int | None
    attendance: int | None
    meetings: dict[str, int]
    practices: list[dict[str, Any]]
    partnerships: list[dict[str, Any]]
    interventions: list[dict[str, Any]]


_REGISTRIES = ("practice", "partnership", "intervention")


def communities(db: Session, reach: Reach, filters: gap.Filters, k: int) -> list[Community]:
    """Per community: members and attendance (hidden under k), meetings and the registries."""
    kinds = ("member", "attendance", "meeting")
    table, count, counted_where = _counting(reach, filters)
    c = table.c
    counts: dict[str, dict[tuple[str, str], int]] = defaultdict(dict)
    query = (
        sa.select(c.community, c.kind, c.variant, count)
        .where(c.kind.in_(kinds), c.community != "", *counted_where)
        .group_by(c.community, c.kind, c.variant)
    )
    for community, kind, variant, n in db.execute(query):
        if n:
            counts[community][(kind, variant)] = int(n)
    # The registries are listed with their details, which only the facts hold.
    f = Fact.__table__.c
    where = _where(reach, filters, f.kind)
    listed: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    registry = (
        sa.select(f.community, f.kind, f.variant, f.at, f.organisation, f.region, f.detail)
        .where(f.kind.in_(_REGISTRIES), f.community != "", *where)
        .order_by(f.community, f.kind, f.at)
    )
    for row in db.execute(registry):
        entry = {"organisation": row.organisation, "region": row.region}
        entry |= {key: value for key, value in row.detail.items() if value is not None}
        entry |= {"variant": row.variant, "at": row.at}
        listed[row.community][row.kind].append(entry)
    found = []
    for name in sorted(set(counts) | set(listed)):
        mine = counts[name]

        def people(kind: str, of: dict[tuple[str, str], int] = mine) -> int | None:
            n = sum(v for (kk, _), v in of.items() if kk == kind)
            return None if 0 < n < k else n

        meetings = {v: n for (kk, v), n in mine.items() if kk == "meeting"}
        found.append(
            Community(
                name,
                people("member"),
                people("attendance"),
                meetings,
                listed[name]["practice"],
                listed[name]["partnership"],
                listed[name]["intervention"],
            )
        )
    return found
