"""Meetings in the tool's API for blocks (``/api/v1/blocks/communities/meeting...``).

The services and rules of the LTI pages (:mod:`opes_lti.communities.meetings`): the
asker is the call's actor, by their membership. A block names a person in the register
by their membership's number, which it reads from ``meeting``; it shows nobody's name.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from flask import Response
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from opes_lti.cdp.block_api import asker_of_call, bp, origin_of_call, run
from opes_lti.cdp.meeting_views import shown
from opes_lti.communities import access, meeting, meetings
from opes_lti.communities import services as communities
from opes_lti.communities.access import RecordError
from opes_lti.communities.models import Meeting
from opes_lti.communities.rules import may
from opes_lti.communities.spec import Slug, SpecError
from opes_lti.core.db import session, utcnow
from opes_lti.sites import openapi
from opes_lti.sites.services import BlockCall

_REF = Annotated[str, Field(pattern=r"^[0-9a-f]{32}$")]
_ID = Annotated[str, Field(pattern=r"^[0-9]{1,12}$")]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MeetingsBody(_Body):
    """A community's meetings, held against the six planned."""

    community: Slug


class MeetingBody(_Body):
    """One meeting; for its community's coordinators, the register and the code."""

    meeting: _REF


class Schedule(_Body):
    """When and how: the time with its offset (the block sends Italian time)."""

    starts_at: AwareDatetime
    minutes: int
    mode: Literal["online", "in_person"]
    place: Annotated[str, Field(max_length=300)] = ""
    link: Annotated[str, Field(max_length=2000)] = ""
    agenda: Annotated[str, Field(max_length=4000)] = ""


class SaveBody(_Body):
    """A new meeting in ``community``, or a coordinator's changes to ``meeting``."""

    community: Slug
    meeting: _REF | None = None
    schedule: Schedule


class AnswerBody(MeetingBody):
    """A member's answer to the invitation (never attendance)."""

    answer: Literal["going", "not_going"]


class CodeBody(MeetingBody):
    """A coordinator opens a fresh check-in code, or closes it."""

    do: Literal["open", "close"]


class CheckInBody(_Body):
    """A member checks in with the code the coordinator read out."""

    community: Slug
    code: Annotated[str, Field(max_length=20)]


class Mark(_Body):
    """One person's attendance."""

    status: Literal["present", "late", "excused", "absent"]
    minutes: Annotated[int, Field(ge=0, le=meeting.LONGEST)] | None = None


class AttendanceBody(MeetingBody):
    """A coordinator records or corrects the register, by membership number: all or none."""

    marks: Annotated[dict[_ID, Mark], Field(max_length=5000)]


BODIES: dict[str, type[BaseModel]] = {
    "meetings": MeetingsBody,
    "meeting": MeetingBody,
    "meeting_save": SaveBody,
    "meeting_cancel": MeetingBody,
    "meeting_answer": AnswerBody,
    "meeting_code": CodeBody,
    "checkin": CheckInBody,
    "meeting_attendance": AttendanceBody,
    "register": MeetingsBody,
}
SUMMARIES = {
    "meetings": "A community's meetings in the order they are held, against the six planned",
    "meeting": "One meeting; for coordinators its register, its code and their history",
    "meeting_save": "Schedule a meeting, or change one without attendance (422 names each field)",
    "meeting_cancel": "Cancel a meeting without attendance (it is kept)",
    "meeting_answer": "A member says whether they are going (not attendance)",
    "meeting_code": "A coordinator opens a check-in code for 15 minutes, or closes it",
    "checkin": "A member checks in with the open code (community.meeting_attended)",
    "meeting_attendance": "A coordinator records or corrects attendance, all rows or none "
    "(community.meeting_attended; community.record_withdrawn on a correction)",
    "register": "For coordinators: the attendance register of every meeting started",
}
openapi.describe(
    str(bp.url_prefix),
    BODIES,
    SUMMARIES,
    {
        "403": "The viewer's role in the community does not allow it",
        "404": "No such community, meeting or member",
        "409": "Not at this stage: cancelled, attendance recorded, not started, code not open",
        "422": "The meeting, the code or the register has problems",
    },
)


def _when(at: datetime) -> str:
    return meeting.local(at).isoformat()


def _listed(row: Meeting, now: datetime) -> dict[str, Any]:
    return {
        "meeting": row.ref, "sequence": row.sequence, "starts_at": _when(row.starts_at),
        "minutes": row.minutes, "mode": row.mode, "place": row.place, "link": row.link,
        "held": meeting.held(row.starts_at, row.minutes, now),
        "cancelled": row.cancelled_at is not None,
    }  # fmt: skip


def _meetings(call: BlockCall, body: MeetingsBody) -> dict[str, Any]:
    db = session()
    community = communities.find(db, body.community)
    role = access.role(db, community, asker_of_call(call))
    rows, now = meetings.listed(db, community), utcnow()
    upcoming = meetings.next_meeting(rows, now)
    return {
        "community": community.slug,
        "role": role,
        "plan": {
            mode: {"held": h, "planned": p} for mode, (h, p) in meetings.plan(rows, now).items()
        },
        "next": upcoming.ref if upcoming else None,
        "meetings": [_listed(r, now) for r in rows],
    }


def _meeting(call: BlockCall, row: Meeting) -> dict[str, Any]:
    db = session()
    asker = asker_of_call(call)
    community = meetings.community_of(db, row)
    role = access.role(db, community, asker)
    now = utcnow()
    coordinator = may(role, "schedule")
    answer: dict[str, Any] = _listed(row, now) | {
        "community": community.slug,
        "agenda": row.agenda,
        "answers": meetings.answers(db, row),
        "mine": meetings.answer_of(db, row, asker),
        "coordinator": coordinator,
    }
    if coordinator:
        closes = row.code_closes_at if meetings.code_open(row, now) else None
        answer["code"] = row.code if closes else None
        answer["code_closes_at"] = _when(closes) if closes else None
        started = now >= row.starts_at
        answer["register"] = [_line(line) for line in meetings.sheet(db, row)] if started else []
        answer["history"] = [
            {"member": c.member_id, "status": c.status, "minutes": c.minutes, "how": c.how,
             "at": c.at.isoformat()}
            for c in meetings.changes(db, row)
        ]  # fmt: skip
    return answer


def _line(line: meetings.Line) -> dict[str, Any]:
    organisation, region = shown(line.member)
    return {
        "member": line.member.id, "user": line.member.user, "status": line.status,
        "minutes": line.minutes, "how": line.how, "organisation": organisation,
        "region": region,
    }  # fmt: skip


def _run(name: str, act: Any) -> Response:
    return run(BODIES, name, act)


@bp.post("/meetings")
def meetings_() -> Response:
    """A community's meetings."""
    return _run("meetings", _meetings)


@bp.post("/meeting")
def meeting_() -> Response:
    """One meeting."""
    return _run(
        "meeting",
        lambda call, body: {"meeting": _meeting(call, meetings.find(session(), body.meeting))},
    )


def _save(call: BlockCall, body: SaveBody) -> dict[str, Any]:
    db = session()
    spec = meeting.parse(body.schedule.model_dump())
    asker = asker_of_call(call)
    community = communities.find(db, body.community)
    if body.meeting:
        row = meetings.find(db, body.meeting)
        if row.community_id != community.id:
            raise RecordError("no_such_meeting", body.meeting)
        row = meetings.reschedule(db, body.meeting, asker, spec)
    else:
        row = meetings.schedule(db, community, asker, spec)
    return {"meeting": _meeting(call, row), "saved": True}


@bp.post("/meeting_save")
def meeting_save() -> Response:
    """Schedule or change a meeting."""
    return _run("meeting_save", _save)


@bp.post("/meeting_cancel")
def meeting_cancel() -> Response:
    """Cancel a meeting."""
    return _run(
        "meeting_cancel",
        lambda call, body: {
            "meeting": _meeting(
                call, meetings.cancel(session(), body.meeting, asker_of_call(call))
            ),
            "cancelled": True,
        },
    )


def _answer(call: BlockCall, body: AnswerBody) -> dict[str, Any]:
    meetings.answer(session(), body.meeting, asker_of_call(call), body.answer)
    return {"meeting": _meeting(call, meetings.find(session(), body.meeting)), "answered": True}


@bp.post("/meeting_answer")
def meeting_answer() -> Response:
    """Answer the invitation."""
    return _run("meeting_answer", _answer)


def _code(call: BlockCall, body: CodeBody) -> dict[str, Any]:
    db, asker = session(), asker_of_call(call)
    if body.do == "open":
        row = meetings.open_code(db, body.meeting, asker)
    else:
        row = meetings.close_code(db, body.meeting, asker)
    return {"meeting": _meeting(call, row)}


@bp.post("/meeting_code")
def meeting_code() -> Response:
    """Open or close the check-in code."""
    return _run("meeting_code", _code)


def _check_in(call: BlockCall, body: CheckInBody) -> dict[str, Any]:
    db = session()
    community = communities.find(db, body.community)
    row = meetings.check_in(db, community, asker_of_call(call), body.code, origin_of_call(call))
    return {"meeting": _meeting(call, row), "checked_in": True}


@bp.post("/checkin")
def checkin() -> Response:
    """Check in with a code."""
    return _run("checkin", _check_in)


def _attendance(call: BlockCall, body: AttendanceBody) -> dict[str, Any]:
    try:
        marks = {int(n): meeting.parse_mark(m.model_dump(exclude_none=True))
                 for n, m in body.marks.items()}  # fmt: skip
    except SpecError:
        raise RecordError("bad_mark") from None
    row = meetings.record(session(), body.meeting, asker_of_call(call), marks,
                          origin_of_call(call))  # fmt: skip
    return {"meeting": _meeting(call, row), "recorded": len(marks)}


@bp.post("/meeting_attendance")
def meeting_attendance() -> Response:
    """Record the register."""
    return _run("meeting_attendance", _attendance)


def _register(call: BlockCall, body: MeetingsBody) -> dict[str, Any]:
    db = session()
    community = communities.find(db, body.community)
    lines = [
        {"meeting": row.ref, "sequence": row.sequence, "starts_at": _when(row.starts_at),
         "mode": row.mode, "minutes_long": row.minutes, "place": row.place or row.link}
        | _line(line)
        for row, line in meetings.register(db, community, asker_of_call(call))
    ]  # fmt: skip
    return {"community": community.slug, "register": lines}


@bp.post("/register")
def register() -> Response:
    """The attendance register."""
    return _run("register", _register)
