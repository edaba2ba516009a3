"""A community's meetings: scheduling, check-in codes, attendance and its register.

Coordinators schedule and record; members answer invitations and check in. Attendance
is keyed by the membership, so who is expected at a meeting is decided by when each
membership began (:func:`~.meeting.expected`). Every attendance recorded is kept in
``attendance_changes``; when one becomes attended the outbox says
``community.meeting_attended`` in the same transaction, and when a correction takes it
back the correction event follows, so the dashboard counts only what stands.
"""

from __future__ import annotations

import hmac
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from opes_lti.communities import corrections
from opes_lti.communities import services as communities
from opes_lti.communities.access import Asker, RecordError, require
from opes_lti.communities.meeting import (
    ATTENDED,
    CODE_LIFETIME,
    Answer,
    How,
    Mark,
    MeetingSpec,
    Mode,
    Status,
    against_plan,
    checked_in,
    ends_at,
    expected,
    held,
    may_open_code,
    minutes_attended,
    new_code,
    normal_code,
)
from opes_lti.communities.models import (
    Attendance,
    AttendanceChange,
    Community,
    CommunityMember,
    Meeting,
    MeetingAnswer,
)
from opes_lti.communities.origin import Origin, actor
from opes_lti.communities.spec import is_ref
from opes_lti.core.db import utcnow
from opes_lti.events import outbox
from opes_lti.events.domain import MeetingAttended, MeetingPayload

#: Events' ids, derived from the meeting, the membership and when it was recorded.
EVENTS = uuid.UUID("5e2b7c1a-93d4-4f60-8a1e-0c6d2b9f4a17")
#: Meetings one community may schedule (the events' meeting number stops there).
MOST_MEETINGS = 100


def _fill(row: Meeting, spec: MeetingSpec) -> None:
    row.starts_at, row.minutes, row.mode = spec.starts_at, spec.minutes, spec.mode
    row.place = spec.place if spec.mode == "in_person" else ""
    row.link = spec.link if spec.mode == "online" else ""
    row.agenda = spec.agenda


def schedule(db: Session, community: Community, asker: Asker, spec: MeetingSpec) -> Meeting:
    """A coordinator schedules a meeting; it takes the community's next number."""
    communities.require_open(community)
    require(db, community, asker, "schedule")
    last = db.scalar(
        sa.select(sa.func.max(Meeting.sequence)).where(Meeting.community_id == community.id)
    )
    sequence = (last or 0) + 1
    if sequence > MOST_MEETINGS:
        raise RecordError("wrong_state", "too many meetings")
    row = Meeting(
        ref=uuid.uuid4().hex,
        community_id=community.id,
        sequence=sequence,
        scheduled_by=asker.user,
    )
    _fill(row, spec)
    db.add(row)
    db.flush()
    return row


def find(db: Session, ref: str) -> Meeting:
    """The meeting of this reference (cancelled ones too), or :class:`RecordError`."""
    row = db.scalar(sa.select(Meeting).where(Meeting.ref == ref)) if is_ref(ref) else None
    if row is None:
        raise RecordError("no_such_meeting", ref[:40])
    return row


def community_of(db: Session, row: Meeting) -> Community:
    """The meeting's community."""
    return db.get_one(Community, row.community_id)


def _recorded(db: Session, row: Meeting) -> bool:
    return db.scalar(sa.select(sa.exists().where(Attendance.meeting_id == row.id))) or False


def _changeable(db: Session, ref: str, asker: Asker) -> Meeting:
    row = find(db, ref)
    require(db, community_of(db, row), asker, "schedule")
    if row.cancelled_at is not None or _recorded(db, row):
        raise RecordError("wrong_state", "attendance recorded or cancelled")
    return row


def reschedule(db: Session, ref: str, asker: Asker, spec: MeetingSpec) -> Meeting:
    """A coordinator changes a meeting nobody's attendance is recorded for yet."""
    row = _changeable(db, ref, asker)
    _fill(row, spec)
    return row


def cancel(db: Session, ref: str, asker: Asker) -> Meeting:
    """A coordinator cancels a meeting with no attendance; it is kept, marked cancelled."""
    row = _changeable(db, ref, asker)
    row.cancelled_at = utcnow()
    row.code = row.code_closes_at = None
    return row


def listed(db: Session, community: Community) -> list[Meeting]:
    """The community's meetings not cancelled, in the order they are held."""
    return list(
        db.scalars(
            sa.select(Meeting)
            .where(Meeting.community_id == community.id, Meeting.cancelled_at.is_(None))
            .order_by(Meeting.starts_at, Meeting.sequence)
        )
    )


def next_meeting(meetings: list[Meeting], now: datetime) -> Meeting | None:
    """The first of ``meetings`` not yet over."""
    return next((m for m in meetings if not held(m.starts_at, m.minutes, now)), None)


def plan(meetings: list[Meeting], now: datetime) -> dict[Mode, tuple[int, int]]:
    """Per mode, the meetings held and the six planned (:data:`~.meeting.PLANNED`)."""
    counts: dict[str, int] = {}
    for m in meetings:
        if held(m.starts_at, m.minutes, now):
            counts[m.mode] = counts.get(m.mode, 0) + 1
    return against_plan(counts)


def _member(db: Session, community: Community, asker: Asker) -> CommunityMember:
    found = communities.membership(db, community, asker.user)
    if found is None:
        raise RecordError("not_allowed", "share")
    return found


def answer(db: Session, ref: str, asker: Asker, said: Answer) -> MeetingAnswer:
    """A member says whether they are going (again: replaces). Not attendance."""
    row = find(db, ref)
    community = community_of(db, row)
    require(db, community, asker, "share")
    if row.cancelled_at is not None or held(row.starts_at, row.minutes, utcnow()):
        raise RecordError("wrong_state", "over or cancelled")
    member = _member(db, community, asker)
    stored = db.get(MeetingAnswer, (row.id, member.id))
    if stored is None:
        stored = MeetingAnswer(meeting_id=row.id, member_id=member.id, answer=said)
        db.add(stored)
    stored.answer, stored.at = said, utcnow()
    db.flush()
    return stored


def answers(db: Session, row: Meeting) -> dict[str, int]:
    """How many answered going and not going."""
    counted = db.execute(
        sa.select(MeetingAnswer.answer, sa.func.count())
        .where(MeetingAnswer.meeting_id == row.id)
        .group_by(MeetingAnswer.answer)
    )
    return {"going": 0, "not_going": 0} | dict(counted.all())


def answer_of(db: Session, row: Meeting, asker: Asker) -> str:
    """The asker's own answer to the invitation, or ""."""
    found = db.scalar(
        sa.select(MeetingAnswer.answer)
        .join(CommunityMember, MeetingAnswer.member_id == CommunityMember.id)
        .where(MeetingAnswer.meeting_id == row.id, CommunityMember.user == asker.user)
    )
    return found or ""


def open_code(db: Session, ref: str, asker: Asker) -> Meeting:
    """A coordinator opens a fresh check-in code for a while, around the meeting."""
    row = find(db, ref)
    require(db, community_of(db, row), asker, "schedule")
    now = utcnow()
    if row.cancelled_at is not None:
        raise RecordError("wrong_state", "cancelled")
    if not may_open_code(row.starts_at, row.minutes, now):
        raise RecordError("code_window")
    row.code, row.code_closes_at = new_code(), now + CODE_LIFETIME
    return row


def close_code(db: Session, ref: str, asker: Asker) -> Meeting:
    """A coordinator closes the code before it expires."""
    row = find(db, ref)
    require(db, community_of(db, row), asker, "schedule")
    row.code = row.code_closes_at = None
    return row


def code_open(row: Meeting, now: datetime) -> bool:
    """Whether the meeting's code still lets members check in."""
    return row.code is not None and row.code_closes_at is not None and now < row.code_closes_at


def check_in(db: Session, community: Community, asker: Asker, code: str, origin: Origin) -> Meeting:
    """A member checks in to the meeting whose open code they typed.

    Once attended, checking in again changes nothing: the coordinator's record stands.
    """
    communities.require_open(community)
    require(db, community, asker, "share")
    member = _member(db, community, asker)
    now = utcnow()
    typed = normal_code(code)
    candidates = db.scalars(
        sa.select(Meeting).where(
            Meeting.community_id == community.id,
            Meeting.cancelled_at.is_(None),
            Meeting.code.is_not(None),
            Meeting.code_closes_at > now,
        )
    )
    # Compared in constant time: a code is a short secret read out in a call.
    row = next((m for m in candidates if hmac.compare_digest(m.code or "", typed)), None)
    if row is None:
        raise RecordError("wrong_code")
    if member.joined_at >= ends_at(row.starts_at, row.minutes):
        raise RecordError("not_allowed", "joined after the meeting")
    stored = db.get(Attendance, (row.id, member.id))
    if stored is None or stored.status not in ATTENDED:
        mark = checked_in(row.starts_at, row.minutes, now)
        _set(db, row, community, member, mark, "code", asker.user, origin)
    return row


def eligible(row: Meeting, member: CommunityMember) -> bool:
    """Whether the membership was open at some time during the meeting."""
    return member.joined_at < ends_at(row.starts_at, row.minutes) and (
        member.left_at is None or member.left_at > row.starts_at
    )


def record(
    db: Session, ref: str, asker: Asker, marks: Mapping[int, Mark], origin: Origin
) -> Meeting:
    """A coordinator records or corrects attendance, by membership, once it has started.

    All or nothing: a membership not of this meeting's community, or not open during
    it, refuses the whole register.
    """
    row = find(db, ref)
    community = community_of(db, row)
    require(db, community, asker, "schedule")
    if row.cancelled_at is not None:
        raise RecordError("wrong_state", "cancelled")
    if utcnow() < row.starts_at:
        raise RecordError("not_started")
    people = {m.id: m for m in _people(db, community, row)}
    if any(number not in people for number in marks):
        raise RecordError("no_such_member")
    for number, mark in marks.items():
        stored = db.get(Attendance, (row.id, number))
        now_minutes = minutes_attended(mark, row.minutes)
        if stored is not None and (stored.status, stored.minutes) == (mark.status, now_minutes):
            continue  # unchanged: no new history line
        _set(db, row, community, people[number], mark, "register", asker.user, origin)
    return row


def _set(
    db: Session,
    row: Meeting,
    community: Community,
    member: CommunityMember,
    mark: Mark,
    how: How,
    by: str,
    origin: Origin,
) -> None:
    stored = db.get(Attendance, (row.id, member.id))
    before = stored.status if stored is not None else None
    minutes = minutes_attended(mark, row.minutes)
    now = utcnow()
    if stored is None:
        stored = Attendance(meeting_id=row.id, member_id=member.id)
        db.add(stored)
    stored.status, stored.minutes, stored.how = mark.status, minutes, how
    stored.recorded_by, stored.recorded_at = by, now
    db.add(
        AttendanceChange(
            meeting_id=row.id, member_id=member.id, status=mark.status, minutes=minutes,
            how=how, by=by, at=now,
        )
    )  # fmt: skip
    db.flush()
    was, now_attended = before in ATTENDED, mark.status in ATTENDED
    if now_attended and not was:
        _attended(db, row, community, member, origin, now)
    elif was and not now_attended:
        corrections.withdrawn(db, community.slug, "attendance", row.ref, member.user, origin, now)


def _attended(
    db: Session,
    row: Meeting,
    community: Community,
    member: CommunityMember,
    origin: Origin,
    at: datetime,
) -> None:
    outbox.emit(
        db,
        MeetingAttended(
            id=uuid.uuid5(EVENTS, f"attended|{row.ref}|{member.id}|{at.isoformat()}"),
            type="community.meeting_attended",
            # The meeting's time, so the dashboard places it when it was held.
            occurred_at=min(row.starts_at, at),
            source=origin.source,
            actor=actor(db, member.user),
            context=origin.context,
            payload=MeetingPayload(
                community=community.slug,
                meeting=row.ref,
                sequence=row.sequence,
                mode=row.mode,  # type: ignore[arg-type]
            ),
        ),
    )


def _people(db: Session, community: Community, row: Meeting) -> list[CommunityMember]:
    """Memberships open at some time during the meeting, in the order they began."""
    return list(
        db.scalars(
            sa.select(CommunityMember)
            .where(
                CommunityMember.community_id == community.id,
                CommunityMember.joined_at < ends_at(row.starts_at, row.minutes),
                sa.or_(CommunityMember.left_at.is_(None), CommunityMember.left_at > row.starts_at),
            )
            .order_by(CommunityMember.joined_at, CommunityMember.id)
        )
    )


@dataclass(frozen=True)
class Line:
    """One person in a meeting's register, as it stands.

    ``status`` is None for someone who joined during the meeting and was not recorded:
    they were not expected, so they are neither present nor absent.
    """

    member: CommunityMember
    status: Status | None
    minutes: int
    how: str


def sheet(db: Session, row: Meeting) -> list[Line]:
    """The meeting's register: everyone expected, and whoever else was recorded.

    Someone expected and not recorded stands absent once the meeting has started.
    """
    community = community_of(db, row)
    stored = {
        a.member_id: a
        for a in db.scalars(sa.select(Attendance).where(Attendance.meeting_id == row.id))
    }
    lines = []
    for member in _people(db, community, row):
        found = stored.get(member.id)
        if found is not None:
            lines.append(Line(member, found.status, found.minutes, found.how))  # type: ignore[arg-type]
        elif expected(member.joined_at, member.left_at, row.starts_at):
            lines.append(Line(member, "absent", 0, ""))
        else:
            lines.append(Line(member, None, 0, ""))
    return lines


def changes(db: Session, row: Meeting) -> list[AttendanceChange]:
    """Every attendance recorded for the meeting, oldest first (corrections included)."""
    return list(
        db.scalars(
            sa.select(AttendanceChange)
            .where(AttendanceChange.meeting_id == row.id)
            .order_by(AttendanceChange.at, AttendanceChange.id)
        )
    )


def register(db: Session, community: Community, asker: Asker) -> Iterator[tuple[Meeting, Line]]:
    """For a coordinator: every started meeting's lines, oldest meeting first.

    The evidence the programme's funders check: it lists whoever was expected or
    recorded, never someone who joined after the meeting.
    """
    require(db, community, asker, "schedule")
    now = utcnow()
    for row in listed(db, community):
        if row.starts_at > now:
            continue
        for line in sheet(db, row):
            if line.status is not None:
                yield row, line
