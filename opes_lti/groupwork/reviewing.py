"""Groups reviewing each other's work by the rubric, and the instructor's own grading.

Assignments are drawn once, among the groups that submitted, so that each gives more
reviews than it needs (``groups.reviews``). After the reviewing date, reviews owed by
groups that reviewed nothing move to groups that did; an assignment moved away is
withdrawn, never deleted. The instructor sees who is waiting on whom and grades what
still lacks reviews.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from opes_lti.core.db import lock_for_change, utcnow
from opes_lti.events import outbox
from opes_lti.events.domain import Actor, GroupExerciseReviewed, GroupReviewPayload
from opes_lti.groups import reviews
from opes_lti.groups.rubric import Rubric, RubricError
from opes_lti.groups.settings import ExerciseSettings
from opes_lti.groupwork import files, membership
from opes_lti.groupwork.errors import GroupworkError
from opes_lti.groupwork.exercises import context_of, settings_of
from opes_lti.groupwork.models import Exercise, Group, GroupFile, ReviewAssignment, Submission
from opes_lti.groupwork.work import EVENTS

#: A review's comment, in characters.
MOST_COMMENT = 5000


def _submitted(db: Session, exercise: Exercise) -> list[int]:
    """The groups that handed in, by id."""
    return sorted(
        db.scalars(
            sa.select(Submission.group_id)
            .join(Group, Submission.group_id == Group.id)
            .where(Group.exercise_id == exercise.id)
        )
    )


def current(db: Session, exercise: Exercise) -> list[ReviewAssignment]:
    """The assignments standing now, in the order they were made."""
    return list(
        db.scalars(
            sa.select(ReviewAssignment)
            .where(
                ReviewAssignment.exercise_id == exercise.id,
                ReviewAssignment.withdrawn_at.is_(None),
            )
            .order_by(ReviewAssignment.id)
        )
    )


def _lock(db: Session, exercise: Exercise) -> None:
    query = sa.select(Exercise.id).where(Exercise.id == exercise.id)
    db.execute(lock_for_change(db, query, Exercise, Exercise.id == exercise.id))


def _rubric(exercise: Exercise) -> Rubric:
    rubric = settings_of(exercise).to_rubric()
    if rubric is None:
        raise GroupworkError("no_rubric")
    return rubric


def start(db: Session, exercise: Exercise) -> list[ReviewAssignment]:
    """Draw the assignments among the groups that submitted (the instructor's act, once)."""
    settings = settings_of(exercise)
    if settings.reviews is None:
        raise GroupworkError("no_reviews")
    _lock(db, exercise)
    if current(db, exercise):
        raise GroupworkError("reviews_started")
    groups = _submitted(db, exercise)
    if len(groups) < 2:
        raise GroupworkError("too_few_submissions")
    gives = min(settings.reviews.gives, len(groups) - 1)
    drawn = reviews.assign([str(g) for g in groups], gives, exercise.seed)
    rows = [
        ReviewAssignment(
            exercise_id=exercise.id,
            reviewer_group_id=int(reviewer),
            reviewed_group_id=int(reviewed),
        )
        for reviewer, reviewed in drawn
    ]
    db.add_all(rows)
    db.flush()
    return rows


def to_give(db: Session, exercise: Exercise, group: Group) -> list[ReviewAssignment]:
    """The reviews a group is asked to give, done or not."""
    return [a for a in current(db, exercise) if a.reviewer_group_id == group.id]


def received(db: Session, exercise: Exercise, group: Group) -> list[ReviewAssignment]:
    """The reviews a group's work has received (done ones only: the others are not news)."""
    return [
        a
        for a in current(db, exercise)
        if a.reviewed_group_id == group.id and a.done_at is not None
    ]


def give(
    db: Session,
    exercise: Exercise,
    group: Group,
    user: str,
    assignment_id: int,
    choices: dict[str, int],
    comment: str,
    actor: Actor,
    source: str,
    now: datetime | None = None,
) -> ReviewAssignment:
    """A member gives their group's review, by the rubric, once."""
    mine = membership.membership_of(db, exercise, user)
    if mine is None or mine.group_id != group.id:
        raise GroupworkError("not_member")
    found = db.get(ReviewAssignment, assignment_id)
    if (
        found is None
        or found.exercise_id != exercise.id
        or found.reviewer_group_id != group.id
        or found.withdrawn_at is not None
    ):
        raise GroupworkError("no_such_review")
    db.execute(
        lock_for_change(
            db,
            sa.select(ReviewAssignment.id).where(ReviewAssignment.id == found.id),
            ReviewAssignment,
            ReviewAssignment.id == found.id,
        )
    )
    db.refresh(found)
    if found.done_at is not None:
        raise GroupworkError("reviewed")
    if len(comment) > MOST_COMMENT:
        raise GroupworkError("too_long")
    try:
        score = _rubric(exercise).score(choices)
    except RubricError as exc:
        raise GroupworkError("bad_review", exc.what) from None
    now = now or utcnow()
    found.choices, found.score, found.comment = dict(choices), score, comment.strip()
    found.done_at, found.reviewed_by = now, user
    db.flush()
    _emit(db, exercise, found.reviewed_group_id, found.id, "peer", actor, source, now)
    return found


def _emit(db: Session, exercise: Exercise, group_id: int, review_id: int, reviewer: str,
          actor: Actor, source: str, now: datetime) -> None:  # fmt: skip
    submission = db.scalar(sa.select(Submission.id).where(Submission.group_id == group_id))
    outbox.emit(
        db,
        GroupExerciseReviewed(
            id=uuid.uuid5(EVENTS, f"reviewed|{reviewer}|{review_id}"),
            type="group_exercise.reviewed",
            occurred_at=now,
            source=source,
            actor=actor,
            context=context_of(exercise),
            payload=GroupReviewPayload(
                exercise=str(exercise.id),
                group=str(group_id),
                submission=str(submission),
                review=f"{reviewer}-{review_id}",
                reviewer="peer" if reviewer == "peer" else "instructor",
            ),
        ),
    )


def reassign_idle(db: Session, exercise: Exercise, now: datetime | None = None) -> int:
    """After the reviewing date, move the reviews idle groups owe; how many moved."""
    settings = settings_of(exercise)
    now = now or utcnow()
    if settings.reviews is None or settings.reviews.due is None or now < settings.reviews.due:
        raise GroupworkError("not_yet")
    _lock(db, exercise)
    standing = current(db, exercise)
    pairs = [(str(a.reviewer_group_id), str(a.reviewed_group_id)) for a in standing]
    done = {p for p, a in zip(pairs, standing, strict=True) if a.done_at is not None}
    kept = reviews.reassign(pairs, done, settings.reviews.needs)
    keep = set(kept)
    moved = 0
    for pair, row in zip(pairs, standing, strict=True):
        if pair not in keep:
            row.withdrawn_at = now
            moved += 1
    db.flush()
    for reviewer, reviewed in (p for p in kept if p not in set(pairs)):
        db.add(
            ReviewAssignment(
                exercise_id=exercise.id,
                reviewer_group_id=int(reviewer),
                reviewed_group_id=int(reviewed),
                assigned_at=now,
            )
        )
    db.flush()
    return moved


def waiting(db: Session, exercise: Exercise) -> list[reviews.Waiting]:
    """Who is waiting on whom: work short of the reviews it needs, fewest first.

    Group ids are those of ``exercise_groups``, as strings, as the pure core has them.
    """
    settings = settings_of(exercise)
    needs = settings.reviews.needs if settings.reviews else 0
    standing = current(db, exercise)
    pairs = [(str(a.reviewer_group_id), str(a.reviewed_group_id)) for a in standing]
    done = {p for p, a in zip(pairs, standing, strict=True) if a.done_at is not None}
    submitted = [str(g) for g in _submitted(db, exercise)]
    return reviews.waiting(pairs, done, needs, submitted)


def staff_grade(
    db: Session,
    exercise: Exercise,
    group: Group,
    by: str,
    choices: dict[str, int] | None,
    comment: str,
    actor: Actor,
    source: str,
    score: float | None = None,
) -> Submission:
    """The instructor grades a submission: by the rubric, or a score without one."""
    found = db.scalar(sa.select(Submission).where(Submission.group_id == group.id))
    if found is None or group.exercise_id != exercise.id:
        raise GroupworkError("not_submitted")
    if len(comment) > MOST_COMMENT:
        raise GroupworkError("too_long")
    settings = settings_of(exercise)
    rubric = settings.to_rubric()
    if rubric is not None:
        try:
            points = rubric.score(choices or {})
        except RubricError as exc:
            raise GroupworkError("bad_review", exc.what) from None
        found.staff_choices, found.staff_score = dict(choices or {}), points
    else:
        if score is None or not 0 <= score <= settings.grading.scale:
            raise GroupworkError("bad_review", "score")
        found.staff_choices, found.staff_score = None, score
    found.staff_comment, found.staff_by = comment.strip(), by
    db.flush()
    _emit(db, exercise, group.id, found.id, "instructor", actor, source, utcnow())
    return found


def _grade(
    settings: ExerciseSettings, submission: Submission | None, scores: list[float]
) -> float | None:
    """The group's grade from its submission and the scores of the reviews it received."""
    if submission is None:
        return None
    scale = settings.grading.scale
    rubric = settings.to_rubric()
    if submission.staff_score is not None:
        return submission.staff_score / rubric.most * scale if rubric else submission.staff_score
    if settings.reviews is None or rubric is None or len(scores) < settings.reviews.needs:
        return None
    return rubric.grade(scores, scale)


def group_grade(db: Session, exercise: Exercise, group: Group) -> float | None:
    """The group's grade on the exercise's scale, or None while it cannot be given.

    The instructor's own grading wins; otherwise the mean of the peer reviews, once the
    work has the reviews it needs.
    """
    found = db.scalar(sa.select(Submission).where(Submission.group_id == group.id))
    scores = [a.score for a in received(db, exercise, group) if a.score is not None]
    return _grade(settings_of(exercise), found, scores)


@dataclass(frozen=True)
class Standing:
    """Where one group's work stands: handed in, reviews received, its grade now."""

    submission: Submission | None
    received: int
    grade: float | None


def standings(
    db: Session, exercise: Exercise, groups: list[Group] | None = None
) -> dict[int, Standing]:
    """Every group's standing, by group id, in three queries whatever the number of groups.

    ``groups``: the exercise's groups, when the caller has them already.
    """
    settings = settings_of(exercise)
    submitted = {
        s.group_id: s
        for s in db.scalars(
            sa.select(Submission)
            .join(Group, Submission.group_id == Group.id)
            .where(Group.exercise_id == exercise.id)
        )
    }
    scores: dict[int, list[float]] = {}
    for a in current(db, exercise):
        if a.done_at is not None and a.score is not None:
            scores.setdefault(a.reviewed_group_id, []).append(a.score)
    return {
        g.id: Standing(
            submitted.get(g.id),
            len(scores.get(g.id, [])),
            _grade(settings, submitted.get(g.id), scores.get(g.id, [])),
        )
        for g in (membership.groups_of(db, exercise) if groups is None else groups)
    }


def may_read_file(db: Session, exercise: Exercise, user: str, file_id: int) -> bool:
    """Whether ``user``'s group reviews the submission that handed in this file."""
    mine = membership.membership_of(db, exercise, user)
    if mine is None:
        return False
    reviewed = {
        a.reviewed_group_id for a in current(db, exercise) if a.reviewer_group_id == mine.group_id
    }
    found = db.scalar(sa.select(Submission.group_id).where(Submission.file_id == file_id))
    return found is not None and found in reviewed


def file_for(
    db: Session, exercise: Exercise, file_id: int, user: str, instructor: bool
) -> GroupFile:
    """A file the asker may read, for both faces.

    Their group's (past or present), one handed in by a group theirs reviews, or any
    for the instructors.
    """
    try:
        return files.readable(db, exercise, file_id, user, instructor)
    except GroupworkError as exc:
        if exc.what != "not_member" or not may_read_file(db, exercise, user, file_id):
            raise
    return files.readable(db, exercise, file_id, user, instructor=True)
