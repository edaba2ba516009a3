"""Members' grades: peer assessment inside a group, the scheme's figure, overrides, publishing.

A member's ratings of their group are theirs alone: no page shows one member what
another gave. Grades are computed by ``groups.grading`` and stored with their parts, so
the instructor's view shows how each came about; an override keeps its reason beside
the computed grade. Publishing emits one graded event per member, so the report counts
people, and hands each grade to the face's gradebook (AGS for LTI, the XBlock's
``grade`` event) through ``send``.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from opes_lti.core.db import utcnow
from opes_lti.events import outbox
from opes_lti.events.domain import Actor, GroupExerciseGraded, GroupGradePayload
from opes_lti.groups.grading import Override, member_grades
from opes_lti.groupwork import membership, reviewing
from opes_lti.groupwork.errors import GroupworkError
from opes_lti.groupwork.exercises import context_of, settings_of
from opes_lti.groupwork.models import Exercise, Group, MemberGrade, Membership, PeerRating
from opes_lti.groupwork.models import Submission as SubmissionRow
from opes_lti.groupwork.work import EVENTS

#: Peer marks run from 0 to this (WebPA's usual 0-5).
MOST_MARK = 5


def rate(db: Session, exercise: Exercise, group: Group, rater: str,
         marks: Mapping[str, float]) -> None:  # fmt: skip
    """A member's marks for every member of their group (themselves included)."""
    if settings_of(exercise).grading.scheme != "webpa":
        raise GroupworkError("bad_rating", "this exercise has no peer assessment")
    mine = membership.membership_of(db, exercise, rater)
    if mine is None or mine.group_id != group.id:
        raise GroupworkError("not_member")
    published = sa.select(MemberGrade.id).where(
        MemberGrade.group_id == group.id, MemberGrade.published_at.is_not(None)
    )
    if db.scalar(published.limit(1)) is not None:
        # The grade given is the marks' outcome: later marks would quietly disagree with it.
        raise GroupworkError("marks_closed")
    current = {m.user for m in membership.members(db, group)}
    if set(marks) != current:
        raise GroupworkError("bad_rating", "rate every member of the group, once")
    for mark in marks.values():
        if not isinstance(mark, int | float) or not math.isfinite(mark):
            raise GroupworkError("bad_rating", "marks are numbers")
        if not 0 <= mark <= MOST_MARK:
            raise GroupworkError("bad_rating", f"marks run from 0 to {MOST_MARK}")
    existing = {
        r.rated: r
        for r in db.scalars(
            sa.select(PeerRating).where(PeerRating.group_id == group.id, PeerRating.rater == rater)
        )
    }
    for rated, mark in marks.items():
        row = existing.get(rated)
        if row is None:
            db.add(PeerRating(group_id=group.id, rater=rater, rated=rated, mark=float(mark)))
        else:
            row.mark = float(mark)
    db.flush()


def ratings_by(db: Session, group: Group, rater: str) -> dict[str, float]:
    """What one member gave (shown to that member only)."""
    rows = db.scalars(
        sa.select(PeerRating).where(PeerRating.group_id == group.id, PeerRating.rater == rater)
    )
    return {r.rated: r.mark for r in rows}


def _stored(db: Session, exercise: Exercise, group: Group) -> dict[str, MemberGrade]:
    rows = db.scalars(
        sa.select(MemberGrade).where(
            MemberGrade.exercise_id == exercise.id, MemberGrade.group_id == group.id
        )
    )
    return {r.user: r for r in rows}


def graded_members(db: Session, group: Group) -> list[str]:
    """Who is graded: the members when the work was handed in (or now, before)."""
    found = db.scalar(sa.select(SubmissionRow).where(SubmissionRow.group_id == group.id))
    if found is not None and found.members:
        return list(found.members)
    return sorted(m.user for m in membership.members(db, group))


def compute(db: Session, exercise: Exercise, group: Group) -> list[MemberGrade]:
    """Every graded member's grade now, stored with its parts (overrides kept)."""
    settings = settings_of(exercise)
    members = graded_members(db, group)
    stored = _stored(db, exercise, group)
    marks: dict[str, dict[str, float]] = {}
    for r in db.scalars(sa.select(PeerRating).where(PeerRating.group_id == group.id)):
        if r.rater in members and r.rated in members:
            marks.setdefault(r.rater, {})[r.rated] = r.mark
    overrides = {
        user: Override(row.override, row.reason, row.overridden_by or "")
        for user, row in stored.items()
        if row.override is not None and user in members
    }
    individual = {
        user: float(row.parts["individual"])
        for user, row in stored.items()
        if row.parts.get("individual") is not None
    }
    group_grade = reviewing.group_grade(db, exercise, group)
    grading = settings.grading
    found = member_grades(
        grading.scheme,
        members,
        group_grade=group_grade,
        marks=marks,
        individual=individual,
        overrides=overrides,
        weight=grading.weight,
        penalty=grading.penalty,
        scale_max=grading.scale,
    )
    out = []
    for grade in found:
        row = stored.get(grade.member)
        if row is None:
            row = MemberGrade(exercise_id=exercise.id, group_id=group.id, user=grade.member)
            db.add(row)
        row.computed, row.factor = grade.computed, grade.webpa_score
        parts = {"scheme": grading.scheme, "group_grade": group_grade}
        if grading.scheme == "webpa":
            parts |= {"weight": grading.weight, "penalty": grading.penalty, "rated": grade.rated}
        if grade.member in individual:
            parts["individual"] = individual[grade.member]
        row.parts = parts
        out.append(row)
    db.flush()
    return out


def _on_scale(exercise: Exercise, grade: float) -> float:
    if not isinstance(grade, int | float) or not math.isfinite(grade):
        raise GroupworkError("bad_grade")
    if not 0 <= grade <= settings_of(exercise).grading.scale:
        raise GroupworkError("bad_grade", f"0 to {settings_of(exercise).grading.scale:g}")
    return float(grade)


def _row(db: Session, exercise: Exercise, group: Group, user: str) -> MemberGrade:
    if user not in graded_members(db, group):
        raise GroupworkError("no_such_member", user)
    stored = _stored(db, exercise, group)
    if user in stored:
        return stored[user]
    row = MemberGrade(exercise_id=exercise.id, group_id=group.id, user=user, parts={})
    db.add(row)
    return row


def set_individual(db: Session, exercise: Exercise, group: Group, user: str, grade: float) -> None:
    """The instructor's grade for one member (the "individual" scheme)."""
    if settings_of(exercise).grading.scheme != "individual":
        raise GroupworkError("bad_grade", "this exercise grades the group")
    row = _row(db, exercise, group, user)
    row.parts = {**(row.parts or {}), "individual": _on_scale(exercise, grade)}
    db.flush()


def override(db: Session, exercise: Exercise, group: Group, user: str,
             grade: float | None, reason: str, by: str) -> None:  # fmt: skip
    """Replace a member's grade, with the reason kept; ``grade`` None takes it back."""
    row = _row(db, exercise, group, user)
    if grade is None:
        row.override, row.overridden_by = None, by
        row.reason = reason.strip()[:1000]
    else:
        if not reason.strip():
            raise GroupworkError("bad_grade", "an override needs its reason")
        row.override, row.reason, row.overridden_by = (
            _on_scale(exercise, grade), reason.strip()[:1000], by
        )  # fmt: skip
    db.flush()


#: What publishing hands a grade to: (the member's membership, grade, maximum).
Send = Callable[[Membership | None, float, float], None]


def publish(
    db: Session,
    exercise: Exercise,
    group: Group,
    actor_of: Callable[[str], Actor],
    source: str,
    send: Send | None = None,
    now: datetime | None = None,
) -> list[MemberGrade]:
    """Publish every member's grade: an event each and the face's gradebook.

    A member whose grade cannot be given yet is left for later; publishing again after
    a change sends the new grade (a new event: the report keeps the latest).
    """
    rows = compute(db, exercise, group)
    now = now or utcnow()
    scale = settings_of(exercise).grading.scale
    submission = db.scalar(sa.select(SubmissionRow.id).where(SubmissionRow.group_id == group.id))
    if submission is None:
        raise GroupworkError("not_submitted")
    history = {m.user: m for m in membership.history(db, group)}
    published = []
    for row in rows:
        final = row.final
        if final is None:
            continue
        outbox.emit(
            db,
            GroupExerciseGraded(
                id=uuid.uuid5(EVENTS, f"graded|{row.id}|{final!r}|{row.factor!r}"),
                type="group_exercise.graded",
                occurred_at=now,
                source=source,
                actor=actor_of(row.user),
                context=context_of(exercise),
                payload=GroupGradePayload(
                    exercise=str(exercise.id),
                    group=str(group.id),
                    submission=str(submission),
                    score=final,
                    max_score=scale,
                    factor=row.factor if row.override is None else None,
                ),
            ),
        )
        if send is not None:
            send(history.get(row.user), final, scale)
        row.published_at = now
        published.append(row)
    db.flush()
    return published


def published_for(db: Session, exercise: Exercise, user: str) -> MemberGrade | None:
    """The member's grade as last published, or None before it is."""
    return db.scalar(
        sa.select(MemberGrade).where(
            MemberGrade.exercise_id == exercise.id,
            MemberGrade.user == user,
            MemberGrade.published_at.is_not(None),
        )
    )
