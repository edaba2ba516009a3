"""A community's meetings, who is expected at them and who attended (pure).

The programme plans six meetings per community, five online and one in person. A
coordinator schedules each, and after it starts records attendance: present, late,
excused or absent, with the minutes attended. Members may check themselves in with a
short code that expires; the coordinator corrects what the code recorded. An answer to
the invitation (going, not going) is never attendance.

Only members whose membership had begun when the meeting started are expected at it,
so nobody is ever counted absent from a meeting held before they joined.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime, time, timedelta
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from opes_lti.communities.spec import checked, web_address

Mode = Literal["online", "in_person"]
#: The programme's plan for each community: five meetings online, one in person.
PLANNED: dict[Mode, int] = {"online": 5, "in_person": 1}
Status = Literal["present", "late", "excused", "absent"]
STATUSES: tuple[Status, ...] = ("present", "late", "excused", "absent")
#: What counts as having attended (and sends ``community.meeting_attended``).
ATTENDED: frozenset[Status] = frozenset({"present", "late"})
Answer = Literal["going", "not_going"]
#: How an attendance was recorded: by the member's code, or by the coordinator.
How = Literal["code", "register"]

#: A check-in code's letters: no 0/O or 1/I to misread when it is read out in a call.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
#: How long a code stays open once the coordinator shows it.
CODE_LIFETIME = timedelta(minutes=15)
#: A code may be opened from this long before the meeting to this long after its end.
CODE_EARLIEST = timedelta(minutes=30)
CODE_LATEST = timedelta(hours=1)
#: A check-in this long after the start is late.
LATE_AFTER = timedelta(minutes=10)
#: The longest meeting, in minutes (a whole day in person).
LONGEST = 600
#: Meetings are scheduled and shown in Italy's time, whatever the server's zone.
ZONE = ZoneInfo("Europe/Rome")


class MeetingSpec(BaseModel):
    """A meeting as a coordinator schedules it."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    starts_at: AwareDatetime
    minutes: Annotated[int, Field(ge=15, le=LONGEST, strict=True)]
    mode: Mode
    #: Where it is held in person.
    place: Annotated[str, Field(max_length=300, validate_default=True)] = ""
    #: The video room of an online meeting.
    link: Annotated[str, Field(max_length=2000, validate_default=True)] = ""
    #: Plain text, escaped where it is shown.
    agenda: Annotated[str, Field(max_length=4000)] = ""

    # Per field, not on the whole record, so a form says which field to fill in.
    @field_validator("place")
    @classmethod
    def _place(cls, value: str, info: ValidationInfo) -> str:
        if info.data.get("mode") == "in_person" and not value:
            raise ValueError("a meeting in person needs its place")
        return value

    @field_validator("link")
    @classmethod
    def _link(cls, value: str, info: ValidationInfo) -> str:
        if info.data.get("mode") == "online" and not value:
            raise ValueError("an online meeting needs its link")
        return web_address(value)


def parse(raw: object) -> MeetingSpec:
    """The meeting in ``raw``, or :class:`~opes_lti.communities.spec.SpecError`."""
    return checked(MeetingSpec, raw)


class Mark(BaseModel):
    """One person's attendance as the coordinator records it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    status: Status
    #: Minutes attended; for someone present, the whole meeting when not given.
    minutes: Annotated[int, Field(ge=0, le=LONGEST, strict=True)] | None = None

    @model_validator(mode="after")
    def _minutes_fit(self) -> Mark:
        if self.status not in ATTENDED and self.minutes:
            raise ValueError("someone excused or absent attended no minutes")
        return self


def parse_mark(raw: object) -> Mark:
    """The attendance in ``raw``, or :class:`~opes_lti.communities.spec.SpecError`."""
    return checked(Mark, raw)


def ends_at(starts_at: datetime, minutes: int) -> datetime:
    """When a meeting of ``minutes`` starting at ``starts_at`` ends."""
    return starts_at + timedelta(minutes=minutes)


def held(starts_at: datetime, minutes: int, now: datetime) -> bool:
    """Whether the meeting is over (it counts against the plan)."""
    return now >= ends_at(starts_at, minutes)


def expected(joined_at: datetime, left_at: datetime | None, starts_at: datetime) -> bool:
    """Whether a membership had begun, and not ended, when the meeting started."""
    return joined_at <= starts_at and (left_at is None or left_at > starts_at)


def minutes_attended(mark: Mark, length: int) -> int:
    """The minutes a mark stands for, within the meeting's length."""
    if mark.status not in ATTENDED:
        return 0
    return length if mark.minutes is None else min(mark.minutes, length)


def new_code() -> str:
    """A fresh check-in code, from the operating system's random source."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normal_code(text: str) -> str:
    """A code as typed (any case, spaces or a hyphen in the middle) as it is stored."""
    return "".join(c for c in text.upper() if c not in " -")[: CODE_LENGTH + 1]


def may_open_code(starts_at: datetime, minutes: int, now: datetime) -> bool:
    """Whether a check-in code may be opened now: around the meeting, not days from it."""
    return starts_at - CODE_EARLIEST <= now <= ends_at(starts_at, minutes) + CODE_LATEST


def checked_in(starts_at: datetime, minutes: int, at: datetime) -> Mark:
    """The attendance a check-in at ``at`` stands for: late after the first minutes.

    Someone late attended from their check-in to the end.
    """
    if at <= starts_at + LATE_AFTER:
        return Mark(status="present")
    left = ends_at(starts_at, minutes) - at
    return Mark(status="late", minutes=max(0, min(minutes, int(left.total_seconds() // 60))))


def against_plan(held_by_mode: dict[str, int]) -> dict[Mode, tuple[int, int]]:
    """Per mode, the meetings held and the meetings planned."""
    return {mode: (held_by_mode.get(mode, 0), planned) for mode, planned in PLANNED.items()}


def from_local(day: str, clock: str) -> datetime:
    """A date (``2027-03-04``) and a time (``18:30``) in Italy as an aware instant.

    Raises :class:`ValueError` for anything else, so a form can say which field.
    """
    when = datetime.combine(date.fromisoformat(day), time.fromisoformat(clock))
    return when.replace(tzinfo=ZONE)


def local(at: datetime) -> datetime:
    """An instant as it reads in Italy."""
    return at.astimezone(ZONE)
