"""Reviews between groups, the instructor's grading, peer assessment and member grades."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opes_lti.core.db import Database
from opes_lti.events.domain import Actor
from opes_lti.events.models import OutboxEntry
from opes_lti.groupwork import marks, membership, reviewing, work
from opes_lti.groupwork.errors import GroupworkError
from opes_lti.groupwork.models import Exercise, Group, Membership, ReviewAssignment
from tests.groupwork.conftest import MakeExercise, joining

RUBRIC = [
    {"code": "chiarezza", "title": "Chiarezza",
     "levels": [{"label": "scarsa", "points": 0}, {"label": "buona", "points": 5},
                {"label": "ottima", "points": 10}]},
]  # fmt: skip
DUE = datetime(2026, 5, 1, tzinfo=UTC)


def _exercise(make: MakeExercise, **grading: Any) -> int:
    return make(
        formation="instructor",
        rubric=RUBRIC,
        reviews={"gives": 2, "needs": 1, "due": DUE.isoformat()},
        grading={"scheme": "group", **grading},
    )


def _submitted_groups(database: Database, exercise_id: int, sizes: list[int]) -> list[int]:
    """Groups of these sizes (members g<i>m<j>), each having handed in a text."""
    ids = []
    with database.transaction() as db:
        exercise = db.get(Exercise, exercise_id)
        assert exercise is not None
        for i, size in enumerate(sizes):
            group = membership.new_group(db, exercise)
            for j in range(size):
                membership.move(db, exercise, joining(f"g{i}m{j}"), group.id, "teacher")
            work.save(db, exercise, group, f"g{i}m0", 0, f"Progetto del gruppo {i}\n")
            work.submit(db, exercise, group, f"g{i}m0", 1, Actor(id=f"g{i}m0"), "tool-a")
            ids.append(group.id)
    return ids


def _session(database: Database, exercise_id: int):  # type: ignore[no-untyped-def]
    db = database.sessions()
    exercise = db.get(Exercise, exercise_id)
    assert exercise is not None
    return db, exercise


def test_every_group_reviews_others_and_receives_its_reviews(
    database: Database, make_exercise: MakeExercise
) -> None:
    exercise_id = _exercise(make_exercise)
    groups = _submitted_groups(database, exercise_id, [2, 2, 2, 2])
    with database.transaction() as db:
        exercise = db.get(Exercise, exercise_id)
        assert exercise is not None
        rows = reviewing.start(db, exercise)
        with pytest.raises(GroupworkError) as caught:
            reviewing.start(db, exercise)
        assert caught.value.what == "reviews_started"
    assert len(rows) == 8
    assert all(r.reviewer_group_id != r.reviewed_group_id for r in rows)
    for g in groups:
        assert sum(r.reviewer_group_id == g for r in rows) == 2
        assert sum(r.reviewed_group_id == g for r in rows) == 2


def test_a_review_by_the_rubric_grades_the_work_and_is_given_once(
    database: Database, make_exercise: MakeExercise
) -> None:
    exercise_id = _exercise(make_exercise)
    first, *_ = _submitted_groups(database, exercise_id, [2, 2, 2])
    with database.transaction() as db:
        exercise = db.get(Exercise, exercise_id)
        assert exercise is not None
        reviewing.start(db, exercise)
        reviewer = db.get(Group, first)
        assert reviewer is not None
        (task, _) = reviewing.to_give(db, exercise, reviewer)
        with pytest.raises(GroupworkError) as caught:  # a member of another group
            reviewing.give(db, exercise, reviewer, "g1m0", task.id, {"chiarezza": 1}, "",
                           Actor(id="g1m0"), "tool-a")  # fmt: skip
        assert caught.value.status == 403
        with pytest.raises(GroupworkError) as caught:
            reviewing.give(db, exercise, reviewer, "g0m0", task.id, {"chiarezza": 7}, "",
                           Actor(id="g0m0"), "tool-a")  # fmt: skip
        assert caught.value.what == "bad_review"
        reviewing.give(db, exercise, reviewer, "g0m1", task.id, {"chiarezza": 1}, " Buono ",
                       Actor(id="g0m1"), "tool-a")  # fmt: skip
        with pytest.raises(GroupworkError) as caught:
            reviewing.give(db, exercise, reviewer, "g0m0", task.id, {"chiarezza": 2}, "",
                           Actor(id="g0m0"), "tool-a")  # fmt: skip
        assert caught.value.what == "reviewed"
        reviewed = db.get(Group, task.reviewed_group_id)
        assert reviewed is not None
        assert reviewing.group_grade(db, exercise, reviewed) == 50.0  # 5 of 10 points
        types = [json.loads(b)["type"] for b in db.scalars(sa.select(OutboxEntry.body))]
    assert types.count("group_exercise.reviewed") == 1


def test_reviews_owed_by_idle_groups_move_after_the_date_and_waiting_shows_the_rest(
    database: Database, make_exercise: MakeExercise
) -> None:
    exercise_id = _exercise(make_exercise)
    groups = _submitted_groups(database, exercise_id, [2, 2, 2, 2])
    with database.transaction() as db:
        exercise = db.get(Exercise, exercise_id)
        assert exercise is not None
        reviewing.start(db, exercise)
        active = db.get(Group, groups[0])
        assert active is not None
        for task in reviewing.to_give(db, exercise, active):
            reviewing.give(db, exercise, active, "g0m0", task.id, {"chiarezza": 2}, "",
                           Actor(id="g0m0"), "tool-a")  # fmt: skip
        with pytest.raises(GroupworkError) as caught:
            reviewing.reassign_idle(db, exercise, now=DUE - timedelta(hours=1))
        assert caught.value.what == "not_yet"
        before = reviewing.waiting(db, exercise)
        moved = reviewing.reassign_idle(db, exercise, now=DUE + timedelta(hours=1))
        after = reviewing.waiting(db, exercise)
        total = db.scalar(sa.select(sa.func.count()).select_from(ReviewAssignment))
        standing = reviewing.current(db, exercise)
    assert moved > 0
    withdrawn = total - len(standing)  # moved, not deleted
    assert withdrawn == moved
    # Only group 0 reviews: its reviews are done, so the work it has not reviewed waits
    # on group 0 alone now, and nothing is asked of a group that did nothing.
    assert {w.group for w in after} <= {w.group for w in before}
    for w in after:
        assert set(w.owed_by) <= {str(groups[0])}


def test_webpa_grades_each_member_with_the_factor_and_publishes_one_event_each(
    database: Database, make_exercise: MakeExercise
) -> None:
    exercise_id = make_exercise(
        formation="instructor", grading={"scheme": "webpa", "weight": 1.0, "penalty": 0.1}
    )
    (group_id,) = _submitted_groups(database, exercise_id, [3])
    sent: list[tuple[str, float, float]] = []

    def send(member: Membership | None, grade: float, maximum: float) -> None:
        assert member is not None
        sent.append((member.user, grade, maximum))

    with database.transaction() as db:
        exercise = db.get(Exercise, exercise_id)
        group = db.get(Group, group_id)
        assert exercise is not None
        assert group is not None
        with pytest.raises(GroupworkError) as caught:  # not the whole group rated
            marks.rate(db, exercise, group, "g0m0", {"g0m0": 3})
        assert caught.value.what == "bad_rating"
        with pytest.raises(GroupworkError):
            marks.rate(db, exercise, group, "g0m0", {"g0m0": 9, "g0m1": 1, "g0m2": 1})
        marks.rate(db, exercise, group, "g0m0", {"g0m0": 4, "g0m1": 4, "g0m2": 2})
        marks.rate(db, exercise, group, "g0m1", {"g0m0": 4, "g0m1": 4, "g0m2": 2})
        # g0m2 does not rate: penalised by 10%.
        # No grade for the group yet: nothing is published, nobody is sent a grade.
        assert marks.publish(db, exercise, group, lambda u: Actor(id=u), "tool-a", send) == []
        assert sent == []
        reviewing.staff_grade(db, exercise, group, "teacher", None, "Bene", Actor(id="t"),
                              "tool-a", score=80)  # fmt: skip
        published = marks.publish(db, exercise, group, lambda u: Actor(id=u), "tool-a", send)
        assert len(published) == 3
        factors = {r.user: r.factor for r in published}
        assert factors["g0m0"] == pytest.approx(1.2)
        assert factors["g0m2"] == pytest.approx(0.6)
        assert {u: g for u, g, _ in sent} == pytest.approx(
            {"g0m0": 96.0, "g0m1": 96.0, "g0m2": 0.6 * 80 * 0.9}
        )
        # An override replaces one member's grade, its reason kept.
        with pytest.raises(GroupworkError):
            marks.override(db, exercise, group, "g0m2", 70, " ", "teacher")
        marks.override(db, exercise, group, "g0m2", 70, "assente per malattia", "teacher")
        again = {r.user: r for r in marks.publish(db, exercise, group, lambda u: Actor(id=u),
                                                   "tool-a", send)}  # fmt: skip
        assert again["g0m2"].final == 70
        assert again["g0m2"].computed == pytest.approx(43.2)
        assert again["g0m2"].reason == "assente per malattia"
        graded = [
            json.loads(b) for b in db.scalars(sa.select(OutboxEntry.body))
            if json.loads(b)["type"] == "group_exercise.graded"
        ]  # fmt: skip
    # One event per member and grade: a republish of the same grades adds none.
    assert len(graded) == 4
    assert {e["actor"]["id"] for e in graded} == {"g0m0", "g0m1", "g0m2"}


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(groups=st.integers(2, 7), active=st.sets(st.integers(0, 6)))
def test_after_the_date_every_work_has_its_reviews_coming_or_is_on_the_waiting_list(
    database: Database, make_exercise: MakeExercise, groups: int, active: set[int]
) -> None:
    exercise_id = _exercise(make_exercise)
    ids = _submitted_groups(database, exercise_id, [1] * groups)
    with database.transaction() as db:
        exercise = db.get(Exercise, exercise_id)
        assert exercise is not None
        reviewing.start(db, exercise)
        for i in sorted(a for a in active if a < groups):
            group = db.get(Group, ids[i])
            assert group is not None
            for task in reviewing.to_give(db, exercise, group):
                reviewing.give(db, exercise, group, f"g{i}m0", task.id, {"chiarezza": 1}, "",
                               Actor(id=f"g{i}m0"), "tool-a")  # fmt: skip
        reviewing.reassign_idle(db, exercise, now=DUE + timedelta(days=1))
        standing = reviewing.current(db, exercise)
        short = {w.group for w in reviewing.waiting(db, exercise)}
    assert all(r.reviewer_group_id != r.reviewed_group_id for r in standing)
    for g in ids:
        done = sum(1 for r in standing if r.reviewed_group_id == g and r.done_at is not None)
        assert done >= 1 or str(g) in short
