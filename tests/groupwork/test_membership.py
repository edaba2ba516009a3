"""Groups formed from the roster, late joiners, choices, moves: history is never lost."""

from __future__ import annotations

from collections import Counter

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opes_lti.core.db import Database
from opes_lti.groups import csvgroups
from opes_lti.groupwork import exercises, membership
from opes_lti.groupwork.errors import GroupworkError
from opes_lti.groupwork.models import Exercise, Membership
from tests.groupwork.conftest import MakeExercise, joining
from tests.support.together import at_once

ROSTER = [joining(f"u{i:02}", organisation=f"org{i % 3}", region="12") for i in range(10)]


def _form(database: Database, exercise_id: int, roster: list[membership.Joining] = ROSTER):
    with database.transaction() as db:
        exercise = db.get(Exercise, exercise_id)
        assert exercise is not None
        return membership.form_groups(db, exercise, roster)


def test_formation_places_everyone_once_within_the_bounds(
    database: Database, make_exercise: MakeExercise
) -> None:
    exercise_id = make_exercise(formation="mix_organisations")
    formed = _form(database, exercise_id)
    assert formed.unmet == []
    with database.sessions() as db:
        exercise = db.get(Exercise, exercise_id)
        assert exercise is not None
        now = membership.active(db, exercise)
    placed = [m.user for rows in now.values() for m in rows]
    assert sorted(placed) == sorted(j.member.id for j in ROSTER)
    assert all(2 <= len(rows) <= 3 for rows in now.values())
    # Mixed: no group holds two of one organisation while another could take one.
    for rows in now.values():
        assert max(Counter(m.organisation for m in rows).values()) <= 1 + (len(rows) > 3)


def test_formation_happens_once(database: Database, make_exercise: MakeExercise) -> None:
    exercise_id = make_exercise()
    _form(database, exercise_id)
    with pytest.raises(GroupworkError) as caught:
        _form(database, exercise_id)
    assert caught.value.what == "already_formed"
    assert caught.value.status == 409


def test_a_late_joiner_goes_to_a_group_with_room_then_to_a_new_one(
    database: Database, make_exercise: MakeExercise
) -> None:
    exercise_id = make_exercise(least=2, most=2)
    _form(database, exercise_id, ROSTER[:3])  # sizes 2 and 1: one place left
    with database.transaction() as db:
        exercise = db.get(Exercise, exercise_id)
        assert exercise is not None
        before = {g.id for g in membership.groups_of(db, exercise)}
        first = membership.join(db, exercise, joining("late-1"))
        second = membership.join(db, exercise, joining("late-2"))
        assert first is not None
        assert second is not None
        assert first.id in before  # the group with room
        assert second.id not in before  # everyone full: a new group
        # Joining again finds the same group.
        assert membership.join(db, exercise, joining("late-1")) is first


def test_before_formation_nobody_is_placed(database: Database, make_exercise: MakeExercise) -> None:
    exercise_id = make_exercise()
    with database.transaction() as db:
        exercise = db.get(Exercise, exercise_id)
        assert exercise is not None
        assert membership.join(db, exercise, joining("early")) is None


def test_a_move_keeps_who_was_where_and_when(
    database: Database, make_exercise: MakeExercise
) -> None:
    exercise_id = make_exercise(formation="instructor")
    with database.transaction() as db:
        exercise = db.get(Exercise, exercise_id)
        assert exercise is not None
        a = membership.new_group(db, exercise, "A")
        b = membership.new_group(db, exercise, "B")
        membership.move(db, exercise, joining("anna"), a.id, "teacher")
        membership.move(db, exercise, joining("anna"), b.id, "teacher", "better mix")
        assert [m.user for m in membership.members(db, a)] == []
        assert [m.user for m in membership.members(db, b)] == ["anna"]
        (left,) = membership.history(db, a)
        assert left.left_at is not None
        assert left.ended_by == "teacher"
        assert left.reason == "better mix"
        assert [g.id for g in membership.past_groups(db, exercise, "anna")] == [a.id]
        membership.move(db, exercise, joining("anna"), None, "teacher")
        assert membership.group_of(db, exercise, "anna") is None
        assert len(membership.history(db, b)) == 1  # removed, not deleted


def test_a_learner_taken_out_stays_out_until_an_instructor_places_them(
    database: Database, make_exercise: MakeExercise
) -> None:
    exercise_id = make_exercise(formation="random")
    with database.transaction() as db:
        exercise = db.get(Exercise, exercise_id)
        assert exercise is not None
        membership.form_groups(db, exercise, [joining(u) for u in ("anna", "bruno", "carla")])
        membership.move(db, exercise, joining("anna"), None, "teacher", "left the course")
        # Her next visit must not undo the instructor's decision as a late joiner.
        assert membership.join(db, exercise, joining("anna")) is None
        assert membership.group_of(db, exercise, "anna") is None
        back = membership.group_of(db, exercise, "bruno")
        assert back is not None
        membership.move(db, exercise, joining("anna"), back.id, "teacher", "back")
        placed = membership.join(db, exercise, joining("anna"))
        assert placed is not None
        assert placed.id == back.id
        # A newcomer is still placed as a late joiner.
        assert membership.join(db, exercise, joining("dario")) is not None


def test_a_group_of_another_exercise_is_no_such_group(
    database: Database, make_exercise: MakeExercise
) -> None:
    mine, theirs = make_exercise(formation="instructor"), make_exercise(formation="instructor")
    with database.transaction() as db:
        other = db.get(Exercise, theirs)
        exercise = db.get(Exercise, mine)
        assert other is not None
        assert exercise is not None
        foreign = membership.new_group(db, other)
        with pytest.raises(GroupworkError) as caught:
            membership.move(db, exercise, joining("anna"), foreign.id, "teacher")
    assert caught.value.status == 404


def test_the_last_place_of_a_chosen_group_goes_to_one_learner(
    database: Database, make_exercise: MakeExercise
) -> None:
    exercise_id = make_exercise(formation="choice", least=1, most=2)
    _form(database, exercise_id, ROSTER[:4])
    with database.transaction() as db:
        exercise = db.get(Exercise, exercise_id)
        assert exercise is not None
        target = membership.groups_of(db, exercise)[0].id
        membership.choose(db, exercise, joining("first"), target)

    def pick(user: str) -> str:
        with database.transaction() as db:
            exercise = db.get(Exercise, exercise_id)
            assert exercise is not None
            membership.choose(db, exercise, joining(user), target)
        return "in"

    outcomes = [
        o.what if isinstance(o, GroupworkError) else o
        for o in at_once(pick, [(f"racer{i}",) for i in range(4)])
    ]
    assert sorted(outcomes) == ["group_full"] * 3 + ["in"]


def test_groups_are_chosen_only_where_learners_choose_them(
    database: Database, make_exercise: MakeExercise
) -> None:
    exercise_id = make_exercise(formation="random", least=1, most=2)
    _form(database, exercise_id, ROSTER[:4])
    with database.transaction() as db:
        exercise = db.get(Exercise, exercise_id)
        assert exercise is not None
        assert membership.choosable(db, exercise) == []
        target = membership.groups_of(db, exercise)[0].id
        with pytest.raises(GroupworkError) as caught:
            membership.choose(db, exercise, joining("nuovo"), target)
    assert caught.value.status == 403


def test_a_spreadsheet_is_applied_whole_or_not_at_all(
    database: Database, make_exercise: MakeExercise
) -> None:
    exercise_id = make_exercise(formation="instructor")
    people = {j.member.id: j for j in ROSTER[:4]}
    with database.transaction() as db:
        exercise = db.get(Exercise, exercise_id)
        assert exercise is not None
        bounds = exercises.settings_of(exercise).bounds
        bad = csvgroups.read("learner,group\nu00,Rossi\nnobody,Rossi\n", people, bounds)
        with pytest.raises(GroupworkError):
            membership.apply_import(db, exercise, bad, people, "teacher")
        assert membership.groups_of(db, exercise) == []
        text = "learner,group\nu00,Rossi\nu01,Rossi\nu02,Verdi\nu03,Verdi\n"
        made = membership.apply_import(db, exercise, csvgroups.read(text, people, bounds),
                                       people, "teacher")  # fmt: skip
        assert [g.name for g in made] == ["Rossi", "Verdi"]
        assert [m.user for m in membership.members(db, made[1])] == ["u02", "u03"]
        assert exercise.formed_at is not None


# --- generated: any sequence of joins, choices, moves and removals ---------------------

USERS = [f"p{i}" for i in range(8)]
Step = tuple[str, str, int]
steps = st.lists(
    st.tuples(
        st.sampled_from(["join", "move", "remove"]), st.sampled_from(USERS), st.integers(0, 3)
    ),
    max_size=25,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(plan=steps)
def test_any_sequence_keeps_one_group_at_a_time_and_all_history(
    database: Database, make_exercise: MakeExercise, plan: list[Step]
) -> None:
    exercise_id = make_exercise(least=1, most=3)
    _form(database, exercise_id, [joining(u) for u in USERS[:4]])
    changes = 0
    for action, user, target in plan:
        with database.transaction() as db:
            exercise = db.get(Exercise, exercise_id)
            assert exercise is not None
            groups = membership.groups_of(db, exercise)
            was = membership.group_of(db, exercise, user)
            refused = ""
            try:
                if action == "join":
                    membership.join(db, exercise, joining(user))
                elif action == "move":
                    membership.move(
                        db, exercise, joining(user), groups[target % len(groups)].id, "t"
                    )
                else:
                    membership.move(db, exercise, joining(user), None, "t")
            except GroupworkError as exc:
                refused = exc.what
            # Only removing someone who is in no group is refused.
            assert refused in ("", "no_such_member")
            assert not refused or was is None
            now = membership.group_of(db, exercise, user)
            changes += (was is not None) and (now is None or now.id != was.id)
    with database.sessions() as db:
        rows = db.scalars(sa.select(Membership).where(Membership.exercise_id == exercise_id)).all()
    current = Counter(r.user for r in rows if r.left_at is None)
    assert all(n == 1 for n in current.values())
    # Every membership that ended is still there: ended ones equal the changes made.
    assert sum(1 for r in rows if r.left_at is not None) == changes


def test_a_late_joiner_of_a_community_joins_a_group_of_that_community(
    database: Database, make_exercise: MakeExercise
) -> None:
    exercise_id = make_exercise(formation="by_community", least=2, most=3)
    roster = [joining(f"g{i}", f"o{i}", community="giovani") for i in range(4)]
    roster += [joining(f"a{i}", f"o{i}", community="anziani") for i in range(4)]
    _form(database, exercise_id, roster)
    with database.transaction() as db:
        exercise = db.get(Exercise, exercise_id)
        assert exercise is not None
        into = membership.join(db, exercise, joining("late", "o9", community="anziani"))
        assert into is not None
        assert {m.community for m in membership.members(db, into)} == {"anziani"}
