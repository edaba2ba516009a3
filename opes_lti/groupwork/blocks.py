"""Group work as the XBlock face reaches it: a site's block, its visitors, what a page shows.

The block sends who it acts for (checked by ``sites.services.acting``), the block's usage
id and its authored settings (the OLX fields, which only Studio changes). Everything
else is the same services the LTI pages use; here they are only put into JSON-ready
data, which the block words in the learner's language from its own catalog.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from opes_lti.communities import services as communities
from opes_lti.core.db import utcnow
from opes_lti.events.domain import Context, fitted
from opes_lti.groups import drafts
from opes_lti.groups.formation import Member
from opes_lti.groups.settings import dumped, parse
from opes_lti.groupwork import exercises, files, marks, membership, reviewing, work
from opes_lti.groupwork.errors import GroupworkError
from opes_lti.groupwork.exercises import Where, settings_of
from opes_lti.groupwork.membership import Joining
from opes_lti.groupwork.models import (
    Exercise,
    Group,
    GroupFile,
    MemberGrade,
    Membership,
    Submission,
    Visitor,
)
from opes_lti.learners.profile import Profile
from opes_lti.sites.services import BlockCall

#: The learners without a group an instructor's table lists (the rest are counted).
UNPLACED_SHOWN = 200
#: The draft's versions a group page lists, newest first (each can be opened).
VERSIONS_SHOWN = 50


def where(call: BlockCall, placement: str, platform_id: str | None = None) -> Where:
    """The block's placement on the calling site."""
    context = Context(
        platform="openedx",
        platform_id=fitted(platform_id or call.site.name, 200),
        course=call.course,
        activity=fitted(placement, 200),
    )
    return Where(context, placement, site_id=call.site.id)


def open_for(
    db: Session, call: BlockCall, placement: str, raw: dict[str, Any], config_key: str | None
) -> Exercise:
    """The block's exercise, made on first use; staff calls bring Studio's changes.

    A learner's call never changes stored settings: what the block sends is what Studio
    saved, but the tool takes it from the people allowed to change it.
    """
    found = exercises.open_exercise(db, where(call, placement), raw, config_key)
    if call.role == "staff" and found.settings != dumped(parse(raw)):
        exercises.configure(db, found, raw)
    if found.context_id != call.course:
        # A block key names one course; another course's call must not reach it.
        raise GroupworkError("not_member", "the block belongs to another course")
    return found


def visit(
    db: Session,
    exercise: Exercise,
    call: BlockCall,
    profile: Profile,
    team: tuple[str, str] | None = None,
    subject: str | None = None,
) -> Joining:
    """Remember a learner who opened the block (the roster), and place them.

    ``team`` (id, name): the learner's team on the platform, which is then their group;
    without one, a late joiner goes where formation would put them. ``subject``: the
    platform's own id for them, by which the block names them to instructors.
    """
    community = communities.community_of(db, call.actor)
    member = Member(call.actor, profile.organisation or "", profile.region or "", community)
    who = Joining(member, subject=subject)
    if call.role == "staff":
        return who
    seen = db.scalar(
        sa.select(Visitor).where(Visitor.exercise_id == exercise.id, Visitor.user == call.actor)
    )
    if seen is None:
        try:
            with db.begin_nested():
                db.add(
                    Visitor(
                        exercise_id=exercise.id,
                        user=call.actor,
                        organisation=who.member.organisation or None,
                        region=who.member.region or None,
                        subject=subject,
                    )
                )
        except IntegrityError:  # the same learner in two tabs: one row is enough
            pass
    elif subject is not None and seen.subject != subject:
        seen.subject = subject
    elif exercise.formed_at is None:
        # Said again before the groups form: formation mixes by what they say now.
        seen.organisation = who.member.organisation or None
        seen.region = who.member.region or None
    if team is not None:
        membership.join_team(db, exercise, who, *team)
    else:
        membership.join(db, exercise, who)
    return who


def roster(db: Session, exercise: Exercise) -> list[Joining]:
    """Everyone who opened the block, with what groups mix by."""
    rows = list(
        db.scalars(
            sa.select(Visitor).where(Visitor.exercise_id == exercise.id).order_by(Visitor.id)
        )
    )
    belongs = communities.communities_of(db, [v.user for v in rows])
    return [joining_of(v, belongs.get(v.user, "")) for v in rows]


def joining_of(seen: Visitor, community: str = "") -> Joining:
    """A visitor as the group services take a learner coming in, in their community."""
    member = Member(seen.user, seen.organisation or "", seen.region or "", community)
    return Joining(member, subject=seen.subject)


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def page(db: Session, exercise: Exercise, call: BlockCall) -> dict[str, Any]:
    """What the block shows: the brief, the viewer's group and work, grade; staff's table."""
    settings = settings_of(exercise)
    out: dict[str, Any] = {
        "exercise": {
            "title": settings.title,
            "instructions_html": settings.instructions,  # sanitised when parsed
            "due": _when(settings.due),
            "late": settings.late,
            "deliverable": settings.deliverable,
            "least": settings.least,
            "most": settings.most,
            "formation": settings.formation,
            "scheme": settings.grading.scheme,
            "scale": settings.grading.scale,
            "rubric": [c.model_dump() for c in settings.rubric],
            "reviews": None
            if settings.reviews is None
            else {
                "gives": settings.reviews.gives,
                "needs": settings.reviews.needs,
                "due": _when(settings.reviews.due),
            },
        },
        "formed": exercise.formed_at is not None,
        "group": None,
        "grade": None,
    }
    group = membership.group_of(db, exercise, call.actor)
    if group is not None:
        out["group"] = group_data(db, exercise, group, call.actor)
    if call.role != "staff":
        out["past"] = [
            {"id": g.id, "number": g.number, "name": g.name}
            for g in membership.past_groups(db, exercise, call.actor)
        ]
        out["choosable"] = [
            {"id": g.id, "number": g.number, "name": g.name, "members": size}
            for g, size in membership.choosable(db, exercise)
            if group is None or g.id != group.id
        ]
    grade = marks.published_for(db, exercise, call.actor)
    if grade is not None and grade.final is not None:
        out["grade"] = {"final": grade.final, "scale": settings.grading.scale}
    if call.role == "staff":
        out["staff"] = staff_data(db, exercise)
    return out


def _order(history: list[Membership]) -> dict[str, int]:
    """Each member's number in the group (1, 2, ...), by order of joining.

    Members are named to each other by number: the tool holds no names.
    """
    ordered = sorted(history, key=lambda m: (m.joined_at, m.id))
    return {m.user: n for n, m in enumerate(ordered, start=1)}


def _file(row: GroupFile | None, order: dict[str, int] | None = None) -> dict[str, Any] | None:
    if row is None:
        return None
    out: dict[str, Any] = {
        "id": row.id,
        "filename": row.filename,
        "size": row.size,
        "content_type": row.content_type,
    }
    if order is not None:
        out |= {"by": order.get(row.uploaded_by, 0), "at": _when(row.uploaded_at)}
    return out


def _handed(db: Session, submission: Submission) -> dict[str, Any]:
    """What a submission handed in: its text, link or file."""
    found = db.get(GroupFile, submission.file_id) if submission.file_id is not None else None
    return {"text": submission.text or "", "link": submission.link or "", "file": _file(found)}


def _reviews(db: Session, exercise: Exercise, group: Group) -> dict[str, Any]:
    """The reviews a group gives (with the work to review) and those it has received.

    Reviewers and reviewed stay anonymous to each other: works are numbered in the order
    they were assigned, reviews received carry no group.
    """
    giving = []
    for n, a in enumerate(reviewing.to_give(db, exercise, group), start=1):
        handed = db.scalar(sa.select(Submission).where(Submission.group_id == a.reviewed_group_id))
        giving.append(
            {
                "id": a.id,
                "number": n,
                "done": a.done_at is not None,
                "choices": dict(a.choices or {}),
                "comment": a.comment or "",
                "work": _handed(db, handed) if handed is not None else None,
            }
        )
    return {"giving": giving, "received": _received(db, exercise, group)}


def _received(db: Session, exercise: Exercise, group: Group) -> list[dict[str, Any]]:
    """The reviews a group's work received, without who gave them."""
    return [
        {"score": a.score, "choices": dict(a.choices or {}), "comment": a.comment or ""}
        for a in reviewing.received(db, exercise, group)
    ]


def readable_group(db: Session, exercise: Exercise, call: BlockCall, group_id: int | None) -> Group:
    """The group a call reads: the viewer's own, one they were in, or any for staff."""
    if group_id is None:
        return membership.own_group(db, exercise, call.actor)
    found = membership.group(db, exercise, group_id)
    if call.role != "staff" and not work.can_read(db, exercise, found, call.actor):
        raise GroupworkError("not_member")
    return found


def version_data(db: Session, group: Group, number: int) -> dict[str, Any]:
    """One version of a group's draft, with what changed since the one before."""
    shown = work.version(db, group, number)
    before = work.version(db, group, number - 1).text if number > 1 else ""
    order = _order(membership.history(db, group))
    return {
        "group": group.id,
        "number": shown.number,
        "author": order.get(shown.author, 0),
        "at": _when(shown.at),
        "text": shown.text,
        "changes": [list(change) for change in drafts.diff(before, shown.text)],
    }


def _work(db: Session, group: Group, order: dict[str, int]) -> dict[str, Any]:
    """What a group wrote and shared, as its members (past ones too) read it."""
    latest = work.latest(db, group)
    submission = work.submission(db, group)
    return {
        "latest": None
        if latest is None
        else {
            "number": latest.number,
            "text": latest.text,
            "author": order.get(latest.author, 0),
            "at": _when(latest.at),
        },
        "versions": [
            {"number": v.number, "author": order.get(v.author, 0), "at": _when(v.at)}
            for v in work.versions(db, group)[:VERSIONS_SHOWN]
        ],
        "files": [_file(f, order) for f in files.files_of(db, group)],
        "submission": None
        if submission is None
        else {
            "at": _when(submission.submitted_at),
            "late": submission.late,
            "version": submission.version,
        }
        | _handed(db, submission),
    }


def _members(history: list[Membership], viewer: str, everyone: bool) -> list[dict[str, Any]]:
    """A group's members by number, the viewer marked, with when they were in it.

    The current members, or ``everyone`` who was ever in the group.
    """
    order = _order(history)
    return [
        {
            "number": order[m.user],
            "you": m.user == viewer,
            "organisation": m.organisation or "",
            "joined": _when(m.joined_at),
            "left": _when(m.left_at),
        }
        for m in history
        if everyone or m.left_at is None
    ]


def past_data(db: Session, group: Group, viewer: str) -> dict[str, Any]:
    """A group the viewer was in, read-only: who was in it when, its work and files."""
    history = membership.history(db, group)
    return _work(db, group, _order(history)) | {
        "id": group.id,
        "number": group.number,
        "name": group.name,
        "members": _members(history, viewer, everyone=True),
    }


def group_data(db: Session, exercise: Exercise, group: Group, viewer: str) -> dict[str, Any]:
    """A group as its members see it: members by number, the draft, files, the hand-in.

    With peer assessment, also the marks the viewer gave, which no one else sees; with
    reviews between groups, the work to review and the reviews received.
    """
    history = membership.history(db, group)
    order = _order(history)
    return _work(db, group, order) | {
        "id": group.id,
        "number": group.number,
        "name": group.name,
        "members": _members(history, viewer, everyone=False),
        "reviews": _reviews(db, exercise, group),
        "my_marks": {
            str(order[rated]): mark
            for rated, mark in marks.ratings_by(db, group, viewer).items()
            if rated in order
        },
    }


def rate(db: Session, exercise: Exercise, group: Group, rater: str,
         by_number: dict[int, float]) -> None:  # fmt: skip
    """A member's peer marks, given by member number as the block shows members."""
    history = membership.history(db, group)
    users = {n: user for user, n in _order(history).items()}
    current = {m.user for m in history if m.left_at is None}
    given: dict[str, float] = {}
    for number, mark in by_number.items():
        user = users.get(number)
        if user is None or user not in current:
            raise GroupworkError("bad_rating", f"no member {number} in the group")
        given[user] = mark
    marks.rate(db, exercise, group, rater, given)


def detail(db: Session, exercise: Exercise, group: Group) -> dict[str, Any]:
    """One group for its instructors: who was in it when, the work, members' grades.

    Each grade comes with its parts, computed now and stored, as the LTI group page does.
    """
    history = membership.history(db, group)
    submission = work.submission(db, group)
    grades = marks.compute(db, exercise, group) if submission is not None else []
    subjects = {m.user: m.subject for m in history if m.subject}
    shared = _work(db, group, _order(history))
    if submission is not None:
        shared["submission"] |= {
            "choices": dict(submission.staff_choices or {}),
            "comment": submission.staff_comment or "",
        }
    return shared | {
        "id": group.id,
        "number": group.number,
        "name": group.name,
        "team": group.team_id is not None,
        "history": [
            {
                "user": m.user,
                "subject": m.subject,
                "organisation": m.organisation or "",
                "region": m.region or "",
                "joined": _when(m.joined_at),
                "left": _when(m.left_at),
                "placed_by": m.placed_by,
                "reason": m.reason or "",
            }
            for m in history
        ],
        "reviews_received": _received(db, exercise, group),
        "group_grade": reviewing.group_grade(db, exercise, group),
        "grades": [
            {
                "user": g.user,
                "subject": subjects.get(g.user),
                "computed": g.computed,
                "factor": g.factor,
                "individual": (g.parts or {}).get("individual"),
                "rated": (g.parts or {}).get("rated"),
                "override": g.override,
                "reason": g.reason or "",
                "final": g.final,
                "published": g.published_at is not None,
            }
            for g in grades
        ],
    }


def staff_data(db: Session, exercise: Exercise) -> dict[str, Any]:
    """The instructor's table: who came, the groups, what each handed in and was graded.

    Counted by the database: a course's thousands of memberships are never loaded here.
    """
    all_groups = membership.groups_of(db, exercise)
    size = membership.sizes(db, exercise)
    standing = reviewing.standings(db, exercise, all_groups)
    published = dict(
        db.execute(
            sa.select(MemberGrade.group_id, sa.func.count())
            .where(MemberGrade.exercise_id == exercise.id, MemberGrade.published_at.is_not(None))
            .group_by(MemberGrade.group_id)
        ).all()
    )
    groups = []
    for g in all_groups:
        found = standing.get(g.id)
        groups.append(
            {
                "id": g.id,
                "number": g.number,
                "name": g.name,
                "members": size.get(g.id, 0),
                "submitted": found is not None and found.submission is not None,
                "grade": found.grade if found is not None else None,
                "reviews": found.received if found is not None else 0,
                "published": int(published.get(g.id, 0)),
            }
        )
    visitors = sa.select(sa.func.count()).where(Visitor.exercise_id == exercise.id)
    placed = sa.select(Membership.id).where(
        Membership.exercise_id == exercise.id,
        Membership.user == Visitor.user,
        Membership.left_at.is_(None),
    )
    unplaced = db.execute(
        sa.select(Visitor.user, Visitor.subject)
        .where(Visitor.exercise_id == exercise.id, ~placed.exists())
        .order_by(Visitor.id)
        .limit(UNPLACED_SHOWN)
    )
    waiting = [{"user": user, "subject": subject} for user, subject in unplaced]
    return {
        "visitors": db.scalar(visitors) or 0,
        "groups": groups,
        "reviews": _review_standing(db, exercise, standing),
        "unplaced": waiting if exercise.formed_at is not None else [],
    }


def _review_standing(
    db: Session, exercise: Exercise, standing: dict[int, reviewing.Standing]
) -> dict[str, Any] | None:
    """Reviews between groups for the instructor: started, and who waits on whom."""
    settings = settings_of(exercise)
    if settings.reviews is None:
        return None
    started = bool(reviewing.current(db, exercise))
    due = settings.reviews.due
    return {
        "started": started,
        "submitted": sum(1 for s in standing.values() if s.submission is not None),
        "may_reassign": started and due is not None and utcnow() >= due,
        "waiting": [
            {"group": int(w.group), "received": w.received, "owed_by": [int(g) for g in w.owed_by]}
            for w in reviewing.waiting(db, exercise)
        ]
        if started
        else [],
    }


def coming(db: Session, exercise: Exercise, user: str, subject: str | None) -> Joining:
    """A learner an instructor places: as they opened the block, or not come yet.

    One not come yet is remembered with no profile, so the instructor can move them and
    their first visit finds them placed.
    """
    seen = db.scalar(
        sa.select(Visitor).where(Visitor.exercise_id == exercise.id, Visitor.user == user)
    )
    if seen is None:
        seen = Visitor(exercise_id=exercise.id, user=user, subject=subject)
        db.add(seen)
        db.flush()
    elif subject and not seen.subject:
        seen.subject = subject
    return joining_of(seen, communities.community_of(db, user))


def choose(db: Session, exercise: Exercise, user: str, group_id: int) -> Group:
    """A learner who opened the block takes a place in a group with room."""
    seen = db.scalar(
        sa.select(Visitor).where(Visitor.exercise_id == exercise.id, Visitor.user == user)
    )
    if seen is None:
        raise GroupworkError("no_such_member", user)
    who = joining_of(seen, communities.community_of(db, user))
    return membership.choose(db, exercise, who, group_id)


def place(db: Session, exercise: Exercise, user: str, to: int | None, new_group: bool,
          by: str, reason: str) -> Group | None:  # fmt: skip
    """The instructor moves a learner who opened the block; the history keeps it.

    To group ``to``, to a new group with ``new_group``, or out of their group with neither.
    """
    seen = db.scalar(
        sa.select(Visitor).where(Visitor.exercise_id == exercise.id, Visitor.user == user)
    )
    if seen is None:
        raise GroupworkError("no_such_member", user)
    who = joining_of(seen, communities.community_of(db, user))
    if new_group:
        to = membership.new_group(db, exercise).id
    placed = membership.move(db, exercise, who, to, by, reason.strip())
    return membership.group(db, exercise, placed.group_id) if placed is not None else None
