"""The shared draft and the submission: no text lost, one submission, one event."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from opes_lti.core.db import Database
from opes_lti.events.domain import Actor
from opes_lti.events.models import OutboxEntry
from opes_lti.groups.drafts import Conflict, Saved
from opes_lti.groupwork import membership, work
from opes_lti.groupwork.errors import GroupworkError
from opes_lti.groupwork.models import DraftVersion, Exercise, Group
from tests.groupwork.conftest import MakeExercise, joining
from tests.support.together import at_once

PEOPLE = ["anna", "bruno", "carla", "dario"]


def _grouped(database: Database, exercise_id: int) -> tuple[int, int]:
    """Anna and Bruno in one group, Carla and Dario in another: their ids."""
    with database.transaction() as db:
        exercise = db.get(Exercise, exercise_id)
        assert exercise is not None
        first, second = membership.new_group(db, exercise), membership.new_group(db, exercise)
        for user, into in zip(PEOPLE, [first, first, second, second], strict=True):
            membership.move(db, exercise, joining(user), into.id, "teacher")
        return first.id, second.id


def _save(database: Database, exercise_id: int, group_id: int, user: str, base: int, text: str):  # type: ignore[no-untyped-def]
    with database.transaction() as db:
        exercise, group = db.get(Exercise, exercise_id), db.get(Group, group_id)
        assert exercise is not None
        assert group is not None
        return work.save(db, exercise, group, user, base, text)


def test_a_save_on_an_older_version_is_refused_with_both_texts(
    database: Database, make_exercise: MakeExercise
) -> None:
    exercise_id = make_exercise(formation="instructor")
    group_id, _ = _grouped(database, exercise_id)
    first = _save(database, exercise_id, group_id, "anna", 0, "Obiettivi\n")
    assert isinstance(first, Saved)
    assert first.version.number == 1
    mine = _save(database, exercise_id, group_id, "anna", 1, "Obiettivi\nBudget\n")
    assert isinstance(mine, Saved)
    theirs = _save(database, exercise_id, group_id, "bruno", 1, "Obiettivi\nPartner\n")
    assert isinstance(theirs, Conflict)
    assert theirs.theirs.text == "Obiettivi\nBudget\n"
    assert theirs.mine == "Obiettivi\nPartner\n"
    merged = _save(database, exercise_id, group_id, "bruno", 2, "Obiettivi\nBudget\nPartner\n")
    assert isinstance(merged, Saved)
    with database.sessions() as db:
        group = db.get(Group, group_id)
        assert group is not None
        history = work.versions(db, group)
    assert [(v.number, v.author) for v in history] == [(3, "bruno"), (2, "anna"), (1, "anna")]


def test_concurrent_saves_on_one_version_keep_one_and_refuse_the_rest(
    database: Database, make_exercise: MakeExercise
) -> None:
    exercise_id = make_exercise(formation="instructor")
    group_id, _ = _grouped(database, exercise_id)
    outcomes = at_once(
        lambda n: _save(database, exercise_id, group_id, "anna", 0, f"testo {n}"),
        [(n,) for n in range(4)],
    )
    assert sum(isinstance(o, Saved) for o in outcomes) == 1
    assert sum(isinstance(o, Conflict) for o in outcomes) == 3
    with database.sessions() as db:
        assert db.scalar(sa.select(sa.func.count()).select_from(DraftVersion)) == 1


def test_only_a_current_member_writes(database: Database, make_exercise: MakeExercise) -> None:
    exercise_id = make_exercise(formation="instructor")
    group_id, other_id = _grouped(database, exercise_id)
    with pytest.raises(GroupworkError) as caught:
        _save(database, exercise_id, group_id, "carla", 0, "not my group")
    assert caught.value.status == 403
    # A member moved away keeps reading, and no longer writes.
    _save(database, exercise_id, group_id, "anna", 0, "mine")
    with database.transaction() as db:
        exercise = db.get(Exercise, exercise_id)
        assert exercise is not None
        membership.move(db, exercise, joining("anna"), other_id, "teacher")
        group = db.get(Group, group_id)
        assert group is not None
        assert work.can_read(db, exercise, group, "anna")
        assert not work.can_read(db, exercise, group, "carla")
    with pytest.raises(GroupworkError):
        _save(database, exercise_id, group_id, "anna", 1, "after leaving")


def _submit(database: Database, exercise_id: int, group_id: int, user: str, confirmed: int,
            **kw: object):  # type: ignore[no-untyped-def]  # fmt: skip
    with database.transaction() as db:
        exercise, group = db.get(Exercise, exercise_id), db.get(Group, group_id)
        assert exercise is not None
        assert group is not None
        row = work.submit(db, exercise, group, user, confirmed, Actor(id=user), "tool-a", **kw)  # type: ignore[arg-type]
        return row.id, row.late, row.members


def _events(database: Database) -> list[dict[str, object]]:
    with database.sessions() as db:
        return [json.loads(b) for b in db.scalars(sa.select(OutboxEntry.body))]


def test_submitting_takes_the_confirmed_version_once_and_emits_one_event(
    database: Database, make_exercise: MakeExercise
) -> None:
    exercise_id = make_exercise(formation="instructor")
    group_id, _ = _grouped(database, exercise_id)
    with pytest.raises(GroupworkError) as caught:
        _submit(database, exercise_id, group_id, "anna", 0)
    assert caught.value.what == "nothing_to_submit"
    _save(database, exercise_id, group_id, "anna", 0, "Progetto\n")
    _save(database, exercise_id, group_id, "bruno", 1, "Progetto finale\n")
    with pytest.raises(GroupworkError) as caught:  # anna confirmed v1; bruno saved v2 since
        _submit(database, exercise_id, group_id, "anna", 1)
    assert caught.value.what == "stale_confirmation"
    submission_id, late, members = _submit(database, exercise_id, group_id, "anna", 2)
    assert not late
    assert members == ["anna", "bruno"]
    with pytest.raises(GroupworkError) as caught:
        _submit(database, exercise_id, group_id, "bruno", 2)
    assert caught.value.what == "submitted"
    with pytest.raises(GroupworkError) as caught:
        _save(database, exercise_id, group_id, "bruno", 2, "too late to change")
    assert caught.value.what == "submitted"
    (event,) = _events(database)
    assert event["type"] == "group_exercise.submitted"
    assert event["payload"] == {
        "exercise": str(exercise_id),
        "group": str(group_id),
        "submission": str(submission_id),
        "members": 2,
    }


def test_late_work_is_marked_or_refused_as_set(
    database: Database, make_exercise: MakeExercise
) -> None:
    due = datetime(2026, 3, 1, 12, tzinfo=UTC)
    after = due + timedelta(minutes=1)
    for late, expected in (("marked", True), ("refused", None)):
        exercise_id = make_exercise(formation="instructor", due=due.isoformat(), late=late)
        group_id, _ = _grouped(database, exercise_id)
        _save(database, exercise_id, group_id, "anna", 0, "Progetto\n")
        before = len(_events(database))
        if expected is None:
            with pytest.raises(GroupworkError) as caught:
                _submit(database, exercise_id, group_id, "anna", 1, now=after)
            assert caught.value.what == "refused_late"
            assert len(_events(database)) == before
        else:
            assert _submit(database, exercise_id, group_id, "anna", 1, now=after)[1] is True


def test_a_link_deliverable_takes_http_addresses_only(
    database: Database, make_exercise: MakeExercise
) -> None:
    exercise_id = make_exercise(formation="instructor", deliverable="link")
    group_id, _ = _grouped(database, exercise_id)
    with pytest.raises(GroupworkError) as caught:
        _submit(database, exercise_id, group_id, "anna", 0, link="javascript:alert(1)")
    assert caught.value.status == 400
    _submit(database, exercise_id, group_id, "anna", 0, link="https://docs.example/progetto")


@given(st.text(max_size=60))
def test_any_link_that_is_not_http_with_a_host_is_refused(link: str) -> None:
    try:
        kept = work.checked_link(link)
    except GroupworkError as exc:
        refused = exc.what
    else:
        refused = ""
    if refused:
        assert refused == "bad_link"
        return
    assert kept.split(":", 1)[0] in ("http", "https")
    assert "//" in kept
