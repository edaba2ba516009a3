"""Create and list communities; join and leave them, each change kept and told once.

A join is the event ``community.joined``, emitted through the outbox in the transaction
that records it. Leaving closes the membership (``left_at``); nothing here deletes.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from opes_lti.communities.models import Community, CommunityMember
from opes_lti.communities.spec import CommunitySpec, is_slug
from opes_lti.core.db import utcnow
from opes_lti.events import outbox
from opes_lti.events.domain import CommunityJoined, CommunityPayload, Context
from opes_lti.learners.profile import Profile

#: Events' ids, derived from the membership they tell of (so one join is one event).
EVENTS = uuid.UUID("6f1d2d38-3a4e-4c55-9b62-0c8f7a1e5d21")

Problem = Literal["no_such_community", "disabled", "slug_taken", "not_member"]
STATUS = {"no_such_community": 404, "disabled": 409, "slug_taken": 409, "not_member": 409}
#: What each problem means, for logs and the command line (pages word the code themselves).
MEANING = {
    "no_such_community": "there is no community {detail!r}",
    "disabled": "the community {detail!r} is disabled",
    "slug_taken": "a community called {detail!r} exists already: choose another short name",
    "not_member": "not a member of the community {detail!r}",
}


class CommunityError(Exception):
    """What stops a change to a community or its members, as a code."""

    def __init__(self, what: Problem, detail: str = "") -> None:
        super().__init__(MEANING[what].format(detail=detail))
        self.what = what
        self.status = STATUS[what]


def add(db: Session, spec: CommunitySpec) -> Community:
    """A new community; its short name must be free."""
    row = Community(
        slug=spec.slug,
        name=spec.name,
        theme=spec.theme,
        description=spec.description,
        space_url=spec.space_url,
    )
    try:
        with db.begin_nested():
            db.add(row)
    except IntegrityError:
        raise CommunityError("slug_taken", spec.slug) from None
    return row


def find(db: Session, slug: str, usable: bool = True) -> Community:
    """The community of this short name; with ``usable``, not a disabled one.

    Whatever a form or a body sent is looked up only if it could be a short name: text
    with a NUL, say, names no community rather than reaching the database.
    """
    row = db.scalar(sa.select(Community).where(Community.slug == slug)) if is_slug(slug) else None
    if row is None:
        raise CommunityError("no_such_community", slug)
    if usable and row.disabled_at is not None:
        raise CommunityError("disabled", slug)
    return row


def require_open(community: Community) -> None:
    """:class:`CommunityError` if the community is closed: nothing new is added to it."""
    if community.disabled_at is not None:
        raise CommunityError("disabled", community.slug)


def listing(db: Session, disabled: bool = False) -> list[Community]:
    """The communities by name; the disabled ones too with ``disabled``."""
    query = sa.select(Community).order_by(Community.name, Community.id)
    if not disabled:
        query = query.where(Community.disabled_at.is_(None))
    return list(db.scalars(query))


def disable(db: Session, slug: str) -> Community:
    """Take a community out of every list; its members and records are kept."""
    row = find(db, slug, usable=False)
    if row.disabled_at is None:
        row.disabled_at = utcnow()
    return row


def membership(db: Session, community: Community, user: str) -> CommunityMember | None:
    """The person's current membership of the community, if any."""
    return db.scalar(
        sa.select(CommunityMember).where(
            CommunityMember.community_id == community.id,
            CommunityMember.user == user,
            CommunityMember.left_at.is_(None),
        )
    )


@dataclass(frozen=True)
class Showing:
    """What a member agrees to show the other members."""

    organisation: bool = False
    region: bool = False


def join(
    db: Session,
    community: Community,
    user: str,
    profile: Profile,
    context: Context,
    source: str,
    showing: Showing = Showing(),
) -> CommunityMember:
    """The person joins (again, after leaving: a new membership); once while a member."""
    require_open(community)
    found = membership(db, community, user)
    if found is not None:
        found.shows_organisation, found.shows_region = showing.organisation, showing.region
        return found
    row = CommunityMember(
        community_id=community.id,
        user=user,
        organisation=profile.organisation,
        region=profile.region,
        shows_organisation=showing.organisation,
        shows_region=showing.region,
    )
    try:
        with db.begin_nested():
            db.add(row)
    except IntegrityError:  # the same person in two tabs: the other join stands
        again = membership(db, community, user)
        if again is None:
            raise
        return again
    outbox.emit(
        db,
        CommunityJoined(
            id=uuid.uuid5(EVENTS, f"joined|{row.id}"),
            type="community.joined",
            occurred_at=row.joined_at,
            source=source,
            actor=profile.actor(user),
            context=context,
            payload=CommunityPayload(community=community.slug),
        ),
    )
    return row


def leave(db: Session, community: Community, user: str) -> CommunityMember:
    """The person leaves; the membership is kept, closed."""
    found = membership(db, community, user)
    if found is None:
        raise CommunityError("not_member", community.slug)
    found.left_at = utcnow()
    db.flush()
    return found


def members(db: Session, community: Community) -> list[CommunityMember]:
    """The current members, in the order they joined."""
    return list(
        db.scalars(
            sa.select(CommunityMember)
            .where(CommunityMember.community_id == community.id, CommunityMember.left_at.is_(None))
            .order_by(CommunityMember.joined_at, CommunityMember.id)
        )
    )


def communities_of(db: Session, users: Collection[str]) -> dict[str, str]:
    """The community each person belongs to, for forming groups by community.

    A person in several communities is taken in the first they joined; one in none is
    left out. Read in chunks, so a course's whole roster is a few queries.
    """
    wanted = sorted(set(users))
    found: dict[str, str] = {}
    for start in range(0, len(wanted), _CHUNK):
        rows = db.execute(
            sa.select(CommunityMember.user, Community.slug)
            .join(Community, CommunityMember.community_id == Community.id)
            .where(
                CommunityMember.user.in_(wanted[start : start + _CHUNK]),
                CommunityMember.left_at.is_(None),
                Community.disabled_at.is_(None),
            )
            .order_by(CommunityMember.joined_at.desc(), CommunityMember.id.desc())
        )
        # Newest first, so the first joined is written last and stays.
        found |= dict(rows.all())
    return found


def community_of(db: Session, user: str) -> str:
    """The community one person belongs to ("" if none), as :func:`communities_of`."""
    return communities_of(db, [user]).get(user, "")


#: People looked up per query (well under SQLite's bound parameters).
_CHUNK = 500


def shown_members(db: Session, community: Community, viewer: str) -> list[dict[str, Any]]:
    """The current members as the others see them, by number, the viewer marked.

    Of each, only the organisation and the region they agreed to show. Read as plain
    rows, not objects: a community page lists thousands.
    """
    rows = db.execute(
        sa.select(
            CommunityMember.user,
            CommunityMember.role,
            CommunityMember.organisation,
            CommunityMember.region,
            CommunityMember.shows_organisation,
            CommunityMember.shows_region,
        )
        .where(CommunityMember.community_id == community.id, CommunityMember.left_at.is_(None))
        .order_by(CommunityMember.joined_at, CommunityMember.id)
    )
    return [
        {
            "number": n,
            "you": m.user == viewer,
            "coordinator": m.role == "coordinator",
            "organisation": (m.organisation or "") if m.shows_organisation else "",
            "region": (m.region or "") if m.shows_region else "",
        }
        for n, m in enumerate(rows, start=1)
    ]


def member_count(db: Session, community: Community) -> int:
    """How many belong to the community now."""
    count = sa.select(sa.func.count()).where(
        CommunityMember.community_id == community.id, CommunityMember.left_at.is_(None)
    )
    return db.scalar(count) or 0
