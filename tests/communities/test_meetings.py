"""Meetings on both databases: scheduling, check-in codes, attendance, the register."""

from __future__ import annotations

import itertools
import json
from datetime import datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opes_lti.communities import access, meeting, meetings, services
from opes_lti.communities.access import Asker, RecordError
from opes_lti.communities.models import Attendance, AttendanceChange, CommunityMember, Meeting
from opes_lti.communities.origin import Origin
from opes_lti.communities.spec import parse
from opes_lti.core.db import Database, utcnow
from opes_lti.events.domain import Context
from opes_lti.events.models import OutboxEntry
from opes_lti.learners.profile import Profile

HERE = Origin("tool-test", Context(platform="lti", platform_id="https://lms.example", course="c1"))
ANNA = Asker("anna")
BRUNO = Asker("bruno")
CARLA = Asker("carla")  # coordinator of giovani
NATIONAL = Asker("nora", national=True)
OLGA = Asker("olga")  # coordinator of anziani only
VISITOR = Asker("vera")


@pytest.fixture
def db_ready(database: Database) -> Database:
    with database.transaction() as db:
        for slug in ("giovani", "anziani"):
            services.add(db, parse({"slug": slug, "name": slug.title()}))
        for user in ("anna", "bruno", "carla"):
            services.join(db, services.find(db, "giovani"), user, Profile(), HERE.context, "t")
        services.join(db, services.find(db, "anziani"), "olga", Profile(), HERE.context, "t")
        access.appoint(db, services.find(db, "giovani"), NATIONAL, 3, coordinator=True)
        access.appoint(db, services.find(db, "anziani"), NATIONAL, 1, coordinator=True)
        # Everyone joined a day ago, so a meeting started an hour ago expects them.
        for row in db.scalars(sa.select(CommunityMember)):
            row.joined_at = utcnow() - timedelta(days=1)
    return database


def _spec(starts: datetime, **changes: Any) -> meeting.MeetingSpec:
    raw = {"starts_at": starts, "minutes": 90, "mode": "online", "link": "https://meet.example/r"}
    return meeting.parse(raw | changes)


def _schedule(
    database: Database, minutes_ago: int = 5, slug: str = "giovani", **changes: Any
) -> str:
    with database.transaction() as db:
        community = services.find(db, slug)
        starts = utcnow() - timedelta(minutes=minutes_ago)
        return meetings.schedule(db, community, NATIONAL, _spec(starts, **changes)).ref


def _events(database: Database) -> list[tuple[str, dict[str, Any]]]:
    with database.sessions() as db:
        rows = db.scalars(sa.select(OutboxEntry).order_by(OutboxEntry.seq)).all()
        return [(r.event_type, json.loads(r.body)["payload"]) for r in rows]


def _attended(database: Database) -> list[tuple[str, dict[str, Any]]]:
    return [
        e for e in _events(database)
        if e[0] in ("community.meeting_attended", "community.record_withdrawn")
    ]  # fmt: skip


def _member_id(database: Database, user: str, slug: str = "giovani") -> int:
    with database.sessions() as db:
        found = services.membership(db, services.find(db, slug), user)
        assert found is not None
        return found.id


@pytest.mark.parametrize(
    ("who", "allowed"),
    [(ANNA, False), (CARLA, True), (NATIONAL, True), (OLGA, False), (VISITOR, False)],
)
def test_meetings_only_the_community_s_coordinators_schedule_and_record(
    db_ready: Database, who: Asker, allowed: bool
) -> None:
    ref = _schedule(db_ready)
    anna = _member_id(db_ready, "anna")
    calls = [
        lambda db: meetings.schedule(db, services.find(db, "giovani"), who, _spec(utcnow())),
        lambda db: meetings.reschedule(db, ref, who, _spec(utcnow())),
        lambda db: meetings.open_code(db, ref, who),
        lambda db: meetings.record(db, ref, who, {anna: meeting.Mark(status="present")}, HERE),
        lambda db: list(meetings.register(db, services.find(db, "giovani"), who)),
    ]
    for call in calls:
        if allowed:
            with db_ready.transaction() as db:
                call(db)
        else:
            with db_ready.transaction() as db, pytest.raises(RecordError) as caught:
                call(db)
            assert caught.value.status == 403
    with db_ready.sessions() as db:
        count = db.scalar(sa.select(sa.func.count()).select_from(Meeting))
        assert count == (2 if allowed else 1)
        assert bool(db.scalar(sa.select(sa.func.count()).select_from(Attendance))) is allowed


def test_meetings_are_numbered_per_community_and_count_against_the_plan(
    db_ready: Database,
) -> None:
    _schedule(db_ready, minutes_ago=60 * 24 * 7)
    _schedule(db_ready, minutes_ago=60 * 24 * 3, mode="in_person", link="", place="Roma")
    upcoming = _schedule(db_ready, minutes_ago=-60 * 24)
    _schedule(db_ready, slug="anziani")
    with db_ready.sessions() as db:
        listed = meetings.listed(db, services.find(db, "giovani"))
        assert [m.sequence for m in listed] == [1, 2, 3]
        assert listed[1].link == ""
        assert listed[1].place == "Roma"
        now = utcnow()
        assert meetings.plan(listed, now) == {"online": (1, 5), "in_person": (1, 1)}
        nxt = meetings.next_meeting(listed, now)
        assert nxt is not None
        assert nxt.ref == upcoming
    with db_ready.transaction() as db:
        meetings.cancel(db, upcoming, CARLA)
    with db_ready.sessions() as db:
        assert len(meetings.listed(db, services.find(db, "giovani"))) == 2
        assert meetings.find(db, upcoming).cancelled_at is not None  # kept


def test_meetings_a_member_checks_in_with_the_open_code_once(db_ready: Database) -> None:
    ref = _schedule(db_ready, minutes_ago=5)
    with db_ready.transaction() as db:
        code = meetings.open_code(db, ref, CARLA).code
    assert code is not None
    with db_ready.transaction() as db:
        giovani = services.find(db, "giovani")
        typed = f" {code[:3].lower()}-{code[3:]} "
        assert meetings.check_in(db, giovani, ANNA, typed, HERE).ref == ref
        meetings.check_in(db, giovani, ANNA, code, HERE)  # again: nothing new
    with db_ready.sessions() as db:
        stored = db.get_one(Attendance, (meetings.find(db, ref).id, _member_id(db_ready, "anna")))
        assert (stored.status, stored.minutes, stored.how) == ("present", 90, "code")
    assert _attended(db_ready) == [
        ("community.meeting_attended",
         {"community": "giovani", "meeting": ref, "sequence": 1, "mode": "online"}),
    ]  # fmt: skip


@pytest.mark.parametrize("case", ["wrong", "expired", "closed", "other community", "visitor"])
def test_meetings_a_code_that_is_not_open_here_checks_nobody_in(
    db_ready: Database, case: str
) -> None:
    ref = _schedule(db_ready)
    other = _schedule(db_ready, slug="anziani")
    with db_ready.transaction() as db:
        code = meetings.open_code(db, other if case == "other community" else ref, NATIONAL).code
        assert code is not None
        if case == "wrong":
            code = "".join(c for c in meeting.CODE_ALPHABET if c not in code)[:6]
        elif case == "expired":
            meetings.find(db, ref).code_closes_at = utcnow() - timedelta(seconds=1)
        elif case == "closed":
            meetings.close_code(db, ref, CARLA)
    who = VISITOR if case == "visitor" else ANNA
    with db_ready.transaction() as db, pytest.raises(RecordError) as caught:
        meetings.check_in(db, services.find(db, "giovani"), who, code, HERE)
    assert caught.value.what == ("not_allowed" if case == "visitor" else "wrong_code")
    with db_ready.sessions() as db:
        assert db.scalar(sa.select(sa.func.count()).select_from(Attendance)) == 0
    assert _attended(db_ready) == []


def test_meetings_a_check_in_after_the_first_minutes_is_late(db_ready: Database) -> None:
    ref = _schedule(db_ready, minutes_ago=30)
    with db_ready.transaction() as db:
        code = meetings.open_code(db, ref, CARLA).code or ""
        meetings.check_in(db, services.find(db, "giovani"), BRUNO, code, HERE)
    with db_ready.sessions() as db:
        line = next(
            x for x in meetings.sheet(db, meetings.find(db, ref)) if x.member.user == "bruno"
        )
        assert line.status == "late"
        assert 59 <= line.minutes <= 60


def test_meetings_a_code_opens_only_around_the_meeting(db_ready: Database) -> None:
    far = _schedule(db_ready, minutes_ago=-60 * 24)
    with db_ready.transaction() as db, pytest.raises(RecordError) as caught:
        meetings.open_code(db, far, CARLA)
    assert caught.value.what == "code_window"


def test_meetings_corrections_are_kept_and_told(db_ready: Database) -> None:
    ref = _schedule(db_ready, minutes_ago=120)
    anna, bruno = _member_id(db_ready, "anna"), _member_id(db_ready, "bruno")
    present, absent = meeting.Mark(status="present"), meeting.Mark(status="absent")
    for marks in (
        {anna: present, bruno: meeting.Mark(status="excused")},
        {anna: present},  # unchanged: no history, no event
        {anna: absent},
        {anna: meeting.Mark(status="late", minutes=45)},
    ):
        with db_ready.transaction() as db:
            meetings.record(db, ref, CARLA, marks, HERE)
    told = [(t, p.get("record")) for t, p in _attended(db_ready)]
    assert told == [
        ("community.meeting_attended", None),
        ("community.record_withdrawn", "attendance"),
        ("community.meeting_attended", None),
    ]
    with db_ready.sessions() as db:
        row = meetings.find(db, ref)
        history = [(c.member_id, c.status, c.minutes) for c in meetings.changes(db, row)]
        assert history == [(anna, "present", 90), (bruno, "excused", 0), (anna, "absent", 0),
                           (anna, "late", 45)]  # fmt: skip
        # Carla (the coordinator) was not recorded: expected, so absent.
        lines = {x.member.user: (x.status, x.minutes) for x in meetings.sheet(db, row)}
        assert lines == {"anna": ("late", 45), "bruno": ("excused", 0), "carla": ("absent", 0)}
        # With attendance recorded the meeting can no longer be moved or cancelled.
        with pytest.raises(RecordError) as caught:
            meetings.cancel(db, ref, CARLA)
        assert caught.value.what == "wrong_state"


def test_meetings_a_register_with_one_bad_row_writes_nothing(db_ready: Database) -> None:
    ref = _schedule(db_ready, minutes_ago=120)
    anna, olga = _member_id(db_ready, "anna"), _member_id(db_ready, "olga", "anziani")
    with db_ready.transaction() as db, pytest.raises(RecordError) as caught:
        meetings.record(db, ref, CARLA, {anna: meeting.Mark(status="present"),
                                         olga: meeting.Mark(status="present")}, HERE)  # fmt: skip
    assert caught.value.what == "no_such_member"
    future = _schedule(db_ready, minutes_ago=-30)
    with db_ready.transaction() as db, pytest.raises(RecordError) as caught:
        meetings.record(db, future, CARLA, {anna: meeting.Mark(status="present")}, HERE)
    assert caught.value.what == "not_started"
    with db_ready.sessions() as db:
        assert db.scalar(sa.select(sa.func.count()).select_from(AttendanceChange)) == 0
    assert _attended(db_ready) == []


def test_meetings_an_answer_to_the_invitation_is_not_attendance(db_ready: Database) -> None:
    ref = _schedule(db_ready, minutes_ago=-60)
    with db_ready.transaction() as db:
        meetings.answer(db, ref, ANNA, "going")
        meetings.answer(db, ref, BRUNO, "going")
        meetings.answer(db, ref, BRUNO, "not_going")  # replaces
        with pytest.raises(RecordError):
            meetings.answer(db, ref, VISITOR, "going")
    with db_ready.sessions() as db:
        row = meetings.find(db, ref)
        assert meetings.answers(db, row) == {"going": 1, "not_going": 1}
        assert meetings.answer_of(db, row, BRUNO) == "not_going"
        assert db.scalar(sa.select(sa.func.count()).select_from(Attendance)) == 0
    assert _attended(db_ready) == []


_slugs = (f"c{n}" for n in itertools.count())


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    joined=st.lists(st.integers(min_value=-600, max_value=600), min_size=1, max_size=6),
    left=st.lists(st.none() | st.integers(min_value=-600, max_value=600), min_size=6, max_size=6),
    recorded=st.lists(st.sampled_from(meeting.STATUSES), max_size=6),
)
def test_meetings_nobody_is_absent_from_a_meeting_held_before_they_joined(
    database: Database, joined: list[int], left: list[int | None], recorded: list[str]
) -> None:
    """Random memberships around a meeting that started an hour ago, lasting 90 minutes."""
    slug = next(_slugs)
    starts = utcnow() - timedelta(minutes=60)
    with database.transaction() as db:
        community = services.add(db, parse({"slug": slug, "name": slug}))
        ref = meetings.schedule(db, community, NATIONAL, _spec(starts)).ref
        spans = {}
        for n, offset in enumerate(joined):
            member = services.join(db, community, f"{slug}-p{n}", Profile(), HERE.context, "t")
            member.joined_at = starts + timedelta(minutes=offset)
            if left[n] is not None and left[n] > offset:  # type: ignore[operator]
                member.left_at = starts + timedelta(minutes=left[n])  # type: ignore[arg-type]
            spans[member.id] = (member.joined_at, member.left_at)
    with database.transaction() as db:
        row = meetings.find(db, ref)
        open_ = [x.member.id for x in meetings.sheet(db, row)]
        marks = {i: meeting.Mark(status=s) for i, s in zip(open_, recorded, strict=False)}  # type: ignore[arg-type]
        meetings.record(db, ref, NATIONAL, marks, HERE)
    with database.sessions() as db:
        row = meetings.find(db, ref)
        for line in meetings.sheet(db, row):
            began, ended = spans[line.member.id]
            assert began < meeting.ends_at(starts, 90)
            assert ended is None or ended > starts
            if line.status == "absent" and line.member.id not in marks:
                assert began <= starts  # expected, not recorded: absent
            if began > starts and line.member.id not in marks:
                assert line.status is None  # joined during it: neither present nor absent
        listed = {
            line.member.id for _, line in meetings.register(db, services.find(db, slug), NATIONAL)
        }
        assert all(spans[i][0] <= starts or i in marks for i in listed)
        assert all(i in listed for i in marks)
