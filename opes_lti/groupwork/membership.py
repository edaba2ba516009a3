"""Who is in which group, and who was: formation, late joiners, choices, moves.

A membership is never deleted. Moving or removing someone ends their membership
(``left_at``, who ended it and why) and, for a move, opens another; the history of a
group is its memberships in order. Every change locks the exercise row first, so two
joins at once cannot both take a group's last place.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from opes_lti.core.db import lock_for_change, utcnow
from opes_lti.groups import csvgroups
from opes_lti.groups.formation import Formation, Member, Method, form, group_count, place
from opes_lti.groupwork.errors import GroupworkError
from opes_lti.groupwork.exercises import settings_of
from opes_lti.groupwork.models import Exercise, Group, Membership, Submission


@dataclass(frozen=True)
class Joining:
    """A learner as they come to the exercise: who, what groups mix by, their LTI id."""

    member: Member
    subject: str | None = None


_LATE_METHOD: dict[str, Method] = {
    "random": "random",
    "mix_organisations": "mix_organisations",
    "mix_regions": "mix_regions",
    "by_community": "mix_organisations",
}


def _lock(db: Session, exercise: Exercise) -> None:
    query = sa.select(Exercise.id).where(Exercise.id == exercise.id)
    db.execute(lock_for_change(db, query, Exercise, Exercise.id == exercise.id))


def groups_of(db: Session, exercise: Exercise) -> list[Group]:
    """The exercise's groups, by number."""
    return list(
        db.scalars(sa.select(Group).where(Group.exercise_id == exercise.id).order_by(Group.number))
    )


def group(db: Session, exercise: Exercise, group_id: int) -> Group:
    """A group of this exercise (a group of another is "no such group")."""
    found = db.get(Group, group_id)
    if found is None or found.exercise_id != exercise.id:
        raise GroupworkError("no_such_group", str(group_id))
    return found


def active(db: Session, exercise: Exercise) -> dict[int, list[Membership]]:
    """The current members of every group, by group id (empty groups included)."""
    out: dict[int, list[Membership]] = {g.id: [] for g in groups_of(db, exercise)}
    rows = db.scalars(
        sa.select(Membership)
        .where(Membership.exercise_id == exercise.id, Membership.left_at.is_(None))
        .order_by(Membership.joined_at, Membership.id)
    )
    for row in rows:
        out.setdefault(row.group_id, []).append(row)
    return out


def sizes(db: Session, exercise: Exercise) -> dict[int, int]:
    """How many are in each group now, by group id, counted by the database."""
    rows = db.execute(
        sa.select(Membership.group_id, sa.func.count())
        .where(Membership.exercise_id == exercise.id, Membership.left_at.is_(None))
        .group_by(Membership.group_id)
    )
    return dict(rows.all())


def everyone(db: Session, exercise: Exercise) -> list[Membership]:
    """Every membership of the exercise, past and present, in the order they began."""
    return list(
        db.scalars(
            sa.select(Membership)
            .where(Membership.exercise_id == exercise.id)
            .order_by(Membership.joined_at, Membership.id)
        )
    )


def members(db: Session, group_: Group) -> list[Membership]:
    """A group's current members, in the order they joined."""
    return list(
        db.scalars(
            sa.select(Membership)
            .where(Membership.group_id == group_.id, Membership.left_at.is_(None))
            .order_by(Membership.joined_at, Membership.id)
        )
    )


def history(db: Session, group_: Group) -> list[Membership]:
    """Everyone who has been in the group, current or not, in the order they joined."""
    return list(
        db.scalars(
            sa.select(Membership)
            .where(Membership.group_id == group_.id)
            .order_by(Membership.joined_at, Membership.id)
        )
    )


def membership_of(db: Session, exercise: Exercise, user: str) -> Membership | None:
    """The learner's current membership in the exercise, if any."""
    return db.scalar(
        sa.select(Membership).where(
            Membership.exercise_id == exercise.id,
            Membership.user == user,
            Membership.left_at.is_(None),
        )
    )


def group_of(db: Session, exercise: Exercise, user: str) -> Group | None:
    """The learner's current group, if any."""
    found = membership_of(db, exercise, user)
    return db.get(Group, found.group_id) if found else None


def own_group(db: Session, exercise: Exercise, user: str) -> Group:
    """The learner's current group, or ``no_group``: what every member's action acts on."""
    found = group_of(db, exercise, user)
    if found is None:
        raise GroupworkError("no_group")
    return found


def past_groups(db: Session, exercise: Exercise, user: str) -> list[Group]:
    """Groups the learner has left: they keep reading what they contributed there."""
    ids = db.scalars(
        sa.select(Membership.group_id).where(
            Membership.exercise_id == exercise.id,
            Membership.user == user,
            Membership.left_at.is_not(None),
        )
    ).all()
    current = group_of(db, exercise, user)
    wanted = sorted(set(ids) - ({current.id} if current else set()))
    return [g for g in (db.get(Group, i) for i in wanted) if g is not None]


def _new_group(db: Session, exercise: Exercise, name: str = "") -> Group:
    number = (
        db.scalar(sa.select(sa.func.max(Group.number)).where(Group.exercise_id == exercise.id)) or 0
    ) + 1
    row = Group(exercise_id=exercise.id, number=number, name=name[:100])
    db.add(row)
    db.flush()
    return row


def _enter(
    db: Session, exercise: Exercise, into: Group, who: Joining, placed_by: str
) -> Membership:
    row = Membership(
        exercise_id=exercise.id,
        group_id=into.id,
        user=who.member.id,
        organisation=who.member.organisation or None,
        region=who.member.region or None,
        community=who.member.community or None,
        subject=who.subject,
        placed_by=placed_by,
    )
    db.add(row)
    db.flush()
    return row


def _end(row: Membership, by: str, reason: str) -> None:
    row.left_at, row.ended_by, row.reason = utcnow(), by, reason[:500]


def form_groups(db: Session, exercise: Exercise, roster: Iterable[Joining]) -> Formation:
    """Groups for everyone on the roster, by the exercise's method; once per exercise.

    "choice" makes enough empty groups for the roster to choose from; "instructor" makes
    none (the instructor imports or places people). What could not be met comes back.
    """
    _lock(db, exercise)
    if exercise.formed_at is not None:
        raise GroupworkError("already_formed")
    settings = settings_of(exercise)
    people = {j.member.id: j for j in roster}
    formed = Formation([])
    if settings.formation == "choice":
        for _ in range(group_count(len(people), settings.bounds)):
            _new_group(db, exercise)
    elif settings.formation != "instructor":
        formed = form(
            [j.member for j in people.values()],
            settings.bounds,
            settings.formation,
            exercise.seed,
        )
        for ids in formed.groups:
            made = _new_group(db, exercise)
            for user in ids:
                _enter(db, exercise, made, people[user], "formation")
    exercise.formed_at = utcnow()
    db.flush()
    return formed


def join(db: Session, exercise: Exercise, who: Joining) -> Group | None:
    """The learner's group, placing a late joiner where there is room or in a new group.

    None when the learner is to choose (the "choice" method) or be placed by the
    instructor, when an instructor took them out of their group, or when the groups
    are not formed yet.
    """
    current = group_of(db, exercise, who.member.id)
    if current is not None:
        return current
    settings = settings_of(exercise)
    if exercise.formed_at is None or settings.formation in ("choice", "instructor"):
        return None
    if past_groups(db, exercise, who.member.id):
        # An instructor took them out: only an instructor places them again.
        return None
    _lock(db, exercise)
    current = group_of(db, exercise, who.member.id)  # a racing request may have placed them
    if current is not None:
        return current
    groups = [g for g in groups_of(db, exercise) if g.closed_at is None]
    now = active(db, exercise)
    # Within a community, a late joiner is mixed by organisation, as formation did.
    method = _LATE_METHOD[settings.formation]
    same_community = [
        g for g in groups
        if settings.formation != "by_community"
        or any(m.community == (who.member.community or None) for m in now[g.id])
    ]  # fmt: skip
    roster = [
        Member(m.user, m.organisation or "", m.region or "", m.community or "")
        for g in same_community
        for m in now[g.id]
    ]
    index = place(
        [[m.user for m in now[g.id]] for g in same_community],
        who.member,
        roster,
        settings.bounds,
        method,
    )
    into = same_community[index] if index is not None else _new_group(db, exercise)
    _enter(db, exercise, into, who, "late")
    return into


def join_team(db: Session, exercise: Exercise, who: Joining, team_id: str, name: str) -> Group:
    """The group of the learner's Open edX team, made on the first member's visit.

    The platform's teams are the groups: a learner whose team changed moves with it
    (the old membership ends, kept in the history), unless their group handed in.
    """
    _lock(db, exercise)
    into = db.scalar(
        sa.select(Group).where(Group.exercise_id == exercise.id, Group.team_id == team_id)
    )
    if into is None:
        into = _new_group(db, exercise, name)
        into.team_id = team_id
    if exercise.formed_at is None:
        exercise.formed_at = utcnow()  # the teams formed the groups
    current = membership_of(db, exercise, who.member.id)
    if current is not None and current.group_id == into.id:
        return into
    if current is not None:
        if _submitted(db, current.group_id):
            return group(db, exercise, current.group_id)
        _end(current, "teams", "moved to another team on the platform")
        db.flush()
    _enter(db, exercise, into, who, "teams")
    return into


def choosable(db: Session, exercise: Exercise) -> list[tuple[Group, int]]:
    """Groups with room a learner may choose, with their size (the "choice" method)."""
    settings = settings_of(exercise)
    if settings.formation != "choice" or exercise.formed_at is None:
        return []
    now = active(db, exercise)
    return [
        (g, len(now[g.id]))
        for g in groups_of(db, exercise)
        if g.closed_at is None and len(now[g.id]) < settings.most
    ]


def choose(db: Session, exercise: Exercise, who: Joining, group_id: int) -> Group:
    """A learner's own choice of group (the "choice" method), while it has room."""
    if settings_of(exercise).formation != "choice":
        raise GroupworkError("not_instructor", "groups are not chosen by learners here")
    _lock(db, exercise)
    into = group(db, exercise, group_id)
    current = membership_of(db, exercise, who.member.id)
    if current is not None and current.group_id == into.id:
        return into
    if into.closed_at is not None:
        raise GroupworkError("group_closed")
    if len(members(db, into)) >= settings_of(exercise).most:
        raise GroupworkError("group_full")
    if current is not None:
        if _submitted(db, current.group_id):
            raise GroupworkError("submitted")
        _end(current, who.member.id, "chose another group")
        db.flush()
    _enter(db, exercise, into, who, "choice")
    return into


def _submitted(db: Session, group_id: int) -> bool:
    return db.scalar(sa.select(Submission.id).where(Submission.group_id == group_id)) is not None


def move(
    db: Session, exercise: Exercise, who: Joining, to: int | None, by: str, reason: str = ""
) -> Membership | None:
    """The instructor places, moves or (``to`` None) removes a learner; kept in history.

    Size limits bind learners, not the instructor: the page warns of a group out of
    bounds, the move itself is theirs to make.
    """
    _lock(db, exercise)
    current = membership_of(db, exercise, who.member.id)
    into = group(db, exercise, to) if to is not None else None
    left = group(db, exercise, current.group_id) if current is not None else None
    for touched in (left, into):
        if touched is not None and touched.team_id is not None:
            # The next visit would undo it: the platform's team is the group.
            raise GroupworkError("team_group")
    if into is None:
        if current is None:
            raise GroupworkError("no_such_member", who.member.id)
        _end(current, by, reason or "removed")
        db.flush()
        return None
    if current is not None and current.group_id == into.id:
        return current
    if current is not None:
        _end(current, by, reason or "moved")
        db.flush()
    return _enter(db, exercise, into, who, by)


def new_group(db: Session, exercise: Exercise, name: str = "") -> Group:
    """An empty group the instructor adds."""
    _lock(db, exercise)
    return _new_group(db, exercise, name)


def apply_import(
    db: Session,
    exercise: Exercise,
    imported: csvgroups.Imported,
    people: dict[str, Joining],
    by: str,
) -> list[Group]:
    """The instructor's spreadsheet applied whole: named groups made, everyone placed.

    Nothing is applied while the import has a problem other than sizes.
    """
    if not imported.usable:
        raise GroupworkError("no_such_member", "the spreadsheet has problems to fix first")
    _lock(db, exercise)
    by_name = {g.name: g for g in groups_of(db, exercise) if g.name}
    made = []
    for name, users in imported.groups.items():
        into = by_name.get(name) or _new_group(db, exercise, name)
        made.append(into)
        for user in users:
            move(db, exercise, people[user], into.id, by, "imported")
    if exercise.formed_at is None:
        exercise.formed_at = utcnow()
    db.flush()
    return made


def out_of_bounds(
    db: Session, exercise: Exercise, now: dict[int, list[Membership]] | None = None
) -> Sequence[tuple[Group, int]]:
    """Groups whose size is outside the bounds now, with the size, for the instructor.

    ``now``: the current members by group, when the caller has them already.
    """
    bounds = settings_of(exercise).bounds
    now = active(db, exercise) if now is None else now
    return [
        (g, len(now[g.id]))
        for g in groups_of(db, exercise)
        if now[g.id] and not bounds.fits(len(now[g.id]))
    ]
