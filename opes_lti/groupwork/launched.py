"""From a launch to group work: the exercise placed, the learner coming, the roster, names.

Names are shown, never stored: they come from the platform's roster (NRPS) when it
shares one, and a learner is otherwise "Member 1, 2…" in the order they joined.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from opes_lti.communities import services as communities
from opes_lti.groups.formation import Member
from opes_lti.groupwork import exercises
from opes_lti.groupwork.exercises import CONFIG_PARAMETER, Where
from opes_lti.groupwork.membership import Joining
from opes_lti.groupwork.models import Exercise, Membership
from opes_lti.learners import services as learners
from opes_lti.lti import roster
from opes_lti.lti.context import context_of
from opes_lti.lti.grades import Gradebook
from opes_lti.lti.launch import Launch, pseudonym
from opes_lti.lti.models import LaunchRecord
from opes_lti.lti.runtime import store
from opes_lti.lti.services import ServiceError

#: The activity's stable key: the custom parameter ``activity``, the line item's resourceId.
KEY = "groupwork"


def where(launch: Launch) -> Where:
    """The placement the launch opens."""
    return Where(
        context_of(launch),
        str(launch.resource_link.get("id") or ""),
        platform_id=launch.platform.id,
    )


def picked(launch: Launch) -> dict[str, Any]:
    """The first settings of a placement, from the link's title and the picker's choices."""
    custom = launch.custom
    raw: dict[str, Any] = {
        "title": str(launch.resource_link.get("title") or "")[:200] or "Esercitazione di gruppo"
    }
    for name in ("formation", "deliverable"):
        if custom.get(name):
            raw[name] = custom[name]
    if custom.get("scheme"):
        raw["grading"] = {"scheme": custom["scheme"]}
    return raw


def placed() -> dict[str, str]:
    """A placement's own key, so a copy of the course finds this design."""
    return {CONFIG_PARAMETER: str(uuid.uuid4())}


def exercise(db: Session, launch: Launch) -> Exercise:
    """The launch's exercise (made on first use), remembering where grades go."""
    found = exercises.open_exercise(
        db, where(launch), picked(launch), launch.custom.get(CONFIG_PARAMETER)
    )
    book = Gradebook.of(launch)
    if book is not None and found.grade_endpoint != book.endpoint:
        found.grade_endpoint = book.endpoint
    return found


def gradebook(exercise_: Exercise) -> Gradebook | None:
    """Where the exercise's member grades go, as the last launch with one told it."""
    if exercise_.platform_id is None or not exercise_.grade_endpoint:
        return None
    return Gradebook(exercise_.platform_id, exercise_.grade_endpoint, exercise_.placement_id)


def _joining(db: Session, user: str, subject: str | None) -> Joining:
    profile = learners.get(db, user) or learners.Profile()
    community = communities.community_of(db, user)
    return Joining(
        Member(user, profile.organisation or "", profile.region or "", community),
        subject=subject,
    )


def joining(db: Session, launch: Launch) -> Joining:
    """The launching learner, with what groups mix by."""
    return _joining(db, launch.user, str(launch.claims.get("sub") or "") or None)


def remember_subject(db: Session, exercise_: Exercise, launch: Launch) -> None:
    """A member placed from the launch log gets their platform id at their next launch."""
    sub = str(launch.claims.get("sub") or "")
    if not sub:
        return
    rows = db.scalars(
        sa.select(Membership).where(
            Membership.exercise_id == exercise_.id,
            Membership.user == launch.user,
            Membership.subject.is_(None),
        )
    )
    for row in rows:
        row.subject = sub


@dataclass(frozen=True)
class Roster:
    """Who groups are formed from, their names where the platform shares them, and from where."""

    people: dict[str, Joining]
    names: dict[str, str]
    #: "nrps" (the platform's course roster) or "launches" (who opened the activity).
    source: str


def _platform_roster(db: Session, launch: Launch) -> list[roster.Member] | None:
    if not roster.has_roster(launch):
        return None
    try:
        return roster.fetch(db, store(), launch)
    except ServiceError as exc:
        current_app.logger.warning("course roster unavailable: %s", exc)
        return None


def course_roster(db: Session, launch: Launch) -> Roster:
    """The course's active learners (NRPS), or else everyone who opened this activity."""
    members = _platform_roster(db, launch)
    if members is not None:
        people, names = {}, {}
        for m in members:
            if m.is_learner and m.status == "Active":
                user = pseudonym(launch.platform.issuer, m.user_id)
                people[user] = _joining(db, user, m.user_id)
                if m.name:
                    names[user] = m.name
        return Roster(people, names, "nrps")
    records = db.execute(
        sa.select(LaunchRecord.user, LaunchRecord.roles).where(
            LaunchRecord.platform_id == launch.platform.id,
            LaunchRecord.resource_link_id == str(launch.resource_link.get("id") or ""),
        )
    )
    instructors = {"Instructor", "Administrator", "ContentDeveloper", "TeachingAssistant"}
    users = sorted(
        {
            user
            for user, roles in records
            if not any(r.rsplit("#", 1)[-1].rsplit("/", 1)[-1] in instructors for r in roles or [])
        }
    )
    return Roster({u: _joining(db, u, None) for u in users}, {}, "launches")


def names_of(
    memberships: list[Membership], known: dict[str, str], numbered: Callable[[int], str]
) -> dict[str, str]:
    """A display name for each member: the roster's, else ``numbered(n)`` by order of joining."""
    out: dict[str, str] = {}
    for row in sorted(memberships, key=lambda m: (m.joined_at, m.id)):
        if row.user not in out:
            out[row.user] = known.get(row.user) or numbered(len(out) + 1)
    return out
