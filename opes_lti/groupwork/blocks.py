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

from opes_lti.events.domain import Context, fitted
from opes_lti.groups.formation import Member
from opes_lti.groups.settings import dumped, parse
from opes_lti.groupwork import exercises, marks, membership, reviewing, work
from opes_lti.groupwork.errors import GroupworkError
from opes_lti.groupwork.exercises import Where, settings_of
from opes_lti.groupwork.membership import Joining
from opes_lti.groupwork.models import Exercise, Group, MemberGrade, Visitor
from opes_lti.learners.profile import Profile
from opes_lti.sites.services import BlockCall


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
) -> Joining:
    """Remember a learner who opened the block (the roster), and place them.

    ``team`` (id, name): the learner's team on the platform, which is then their group;
    without one, a late joiner goes where formation would put them.
    """
    who = Joining(Member(call.actor, profile.organisation or "", profile.region or "", ""))
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
                    )
                )
        except IntegrityError:  # the same learner in two tabs: one row is enough
            pass
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
    rows = db.scalars(
        sa.select(Visitor).where(Visitor.exercise_id == exercise.id).order_by(Visitor.id)
    )
    return [Joining(Member(v.user, v.organisation or "", v.region or "", "")) for v in rows]


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
        },
        "formed": exercise.formed_at is not None,
        "group": None,
        "grade": None,
    }
    group = membership.group_of(db, exercise, call.actor)
    if group is not None:
        out["group"] = group_data(db, group, call.actor)
    grade = marks.published_for(db, exercise, call.actor)
    if grade is not None and grade.final is not None:
        out["grade"] = {"final": grade.final, "scale": settings.grading.scale}
    if call.role == "staff":
        out["staff"] = staff_data(db, exercise)
    return out


def group_data(db: Session, group: Group, viewer: str) -> dict[str, Any]:
    """A group as its members see it: members by order of joining, the draft, the hand-in."""
    history = membership.history(db, group)
    order = {m.user: n for n, m in enumerate(sorted(history, key=lambda m: (m.joined_at, m.id)))}
    latest = work.latest(db, group)
    submission = work.submission(db, group)
    return {
        "id": group.id,
        "number": group.number,
        "name": group.name,
        "members": [
            {
                "number": order[m.user] + 1,
                "you": m.user == viewer,
                "organisation": m.organisation or "",
            }
            for m in history
            if m.left_at is None
        ],
        "latest": None
        if latest is None
        else {
            "number": latest.number,
            "text": latest.text,
            "author": order.get(latest.author, -1) + 1,
            "at": _when(latest.at),
        },
        "versions": len(work.versions(db, group)),
        "submission": None
        if submission is None
        else {
            "at": _when(submission.submitted_at),
            "late": submission.late,
            "version": submission.version,
            "link": submission.link or "",
        },
    }


def staff_data(db: Session, exercise: Exercise) -> dict[str, Any]:
    """The instructor's table: who came, the groups, what each handed in and was graded."""
    now = membership.active(db, exercise)
    standing = reviewing.standings(db, exercise)
    published = dict(
        db.execute(
            sa.select(MemberGrade.group_id, sa.func.count())
            .where(MemberGrade.exercise_id == exercise.id, MemberGrade.published_at.is_not(None))
            .group_by(MemberGrade.group_id)
        ).all()
    )
    groups = []
    for g in membership.groups_of(db, exercise):
        found = standing.get(g.id)
        groups.append(
            {
                "id": g.id,
                "number": g.number,
                "name": g.name,
                "members": len(now[g.id]),
                "submitted": found is not None and found.submission is not None,
                "grade": found.grade if found is not None else None,
                "published": int(published.get(g.id, 0)),
            }
        )
    visitors = sa.select(sa.func.count()).where(Visitor.exercise_id == exercise.id)
    return {"visitors": db.scalar(visitors) or 0, "groups": groups}
