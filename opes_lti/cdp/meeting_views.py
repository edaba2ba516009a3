"""A community's meetings in the LTI activity: schedule, answer, check in, the register.

Thin views over :mod:`opes_lti.communities.meetings`: who is asking comes from the page
token, every refusal shows the page again saying why, with nothing of it kept.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from flask import Response, render_template, request, stream_with_context
from flask_babel import gettext as _

from opes_lti.cdp.asking import asker_of
from opes_lti.cdp.views import after_refusal, bp, chosen, origin_of, refusing
from opes_lti.cdp.wording import field_problems, record_message
from opes_lti.communities import access, meeting, meetings
from opes_lti.communities import services as communities
from opes_lti.communities.access import RecordError
from opes_lti.communities.models import Community, CommunityMember, Meeting
from opes_lti.communities.rules import may
from opes_lti.communities.spec import SpecError
from opes_lti.core.db import session, utcnow
from opes_lti.dashboard.exports import csv_lines, xlsx_bytes
from opes_lti.lti.launch import Launch
from opes_lti.regions import REGIONS


def _ref() -> str:
    return request.form.get("meeting", "")[:40]


def _whole(text: str) -> int | str:
    """A typed whole number as a number, anything else as typed (the spec then names it)."""
    text = text.strip()
    return int(text) if text.isdigit() and len(text) < 5 else text


def words() -> dict[str, str]:
    """Modes, statuses and answers as a person reads them."""
    return {
        "online": _("online"), "in_person": _("in person"), "present": _("present"),
        "late": _("late"), "excused": _("excused"), "absent": _("absent"),
        "going": _("going"), "not_going": _("not going"), "code": _("check-in code"),
        "register": _("coordinator"),
    }  # fmt: skip


def meetings_page(launch: Launch, token: str, community: Community, notice: str = "",
                  error: str = "") -> str:  # fmt: skip
    """The community's meetings, held against the plan, with check-in for members."""
    db = session()
    role = access.role(db, community, asker_of(launch))
    listed = meetings.listed(db, community)
    now = utcnow()
    return render_template(
        "cdp/meetings.html", community=community, meetings=listed,
        plan=meetings.plan(listed, now), held=lambda m: meeting.held(m.starts_at, m.minutes, now),
        local=meeting.local, words=words(), can=lambda right: may(role, right),
        member=communities.membership(db, community, launch.user) is not None,
        token=token, notice=notice, error=error,
    )  # fmt: skip


def labels(db: Any, community: Community, viewer: str) -> dict[int, str]:
    """Each membership as a coordinator's register names it: "Member n" as in the list."""
    pattern, former = _("Member %(n)s"), _("former member")
    found: dict[int, str] = {}
    for n, member in enumerate(communities.members(db, community), start=1):
        found[member.id] = _("You") if member.user == viewer else pattern % {"n": n}
    return _Labels(found, former)


class _Labels(dict[int, str]):
    """Labels of memberships; one that has ended is a former member."""

    def __init__(self, found: Mapping[int, str], former: str) -> None:
        super().__init__(found)
        self.former = former

    def __missing__(self, key: int) -> str:
        return self.former


def shown(member: CommunityMember) -> tuple[str, str]:
    """What the member agreed to show: their organisation and region, or blanks."""
    return (
        (member.organisation or "") if member.shows_organisation else "",
        REGIONS.get(member.region or "", "") if member.shows_region else "",
    )


def meeting_page(launch: Launch, token: str, row: Meeting, notice: str = "",
                 error: str = "") -> str:  # fmt: skip
    """One meeting: details, the invitation's answers, and for a coordinator the register."""
    db = session()
    asker = asker_of(launch)
    community = meetings.community_of(db, row)
    role = access.role(db, community, asker)
    now = utcnow()
    coordinator = may(role, "schedule")
    started = now >= row.starts_at
    changes = meetings.changes(db, row) if coordinator else []
    return render_template(
        "cdp/meeting.html", community=community, row=row, local=meeting.local,
        ends=meeting.ends_at(row.starts_at, row.minutes), words=words(),
        over=meeting.held(row.starts_at, row.minutes, now), started=started,
        coordinator=coordinator, member=may(role, "share"),
        answers=meetings.answers(db, row), mine=meetings.answer_of(db, row, asker),
        code_open=meetings.code_open(row, now),
        may_open=meeting.may_open_code(row.starts_at, row.minutes, now),
        lines=meetings.sheet(db, row) if coordinator and started else [],
        changes=changes, recorded=bool(changes) or not coordinator,
        labels=labels(db, community, launch.user) if coordinator else {},
        shown=shown, statuses=meeting.STATUSES, token=token, notice=notice, error=error,
    )  # fmt: skip


def form_page(launch: Launch, token: str, community: Community, values: Mapping[str, str],
              ref: str = "", problems: list[tuple[str, str]] | None = None) -> str:  # fmt: skip
    """The meeting's form, with the problems of the last try beside its fields."""
    return render_template(
        "cdp/meeting_form.html", community=community, values=values, ref=ref,
        problems=problems or [], token=token,
    )  # fmt: skip


def _listed(launch: Launch, token: str, community: Community, error: str) -> str | None:
    # A wrong code was typed on the meetings' page: show it again there.
    wrong_code = record_message(RecordError("wrong_code"))
    return meetings_page(launch, token, community, error=error) if error == wrong_code else None


refused = refusing(
    after_refusal(lambda launch: meetings.find(session(), _ref()), meeting_page, _listed)
)


@bp.post("/meetings")
@refused
def meetings_view(launch: Launch, token: str) -> Any:
    """The community's meetings."""
    return meetings_page(launch, token, chosen())


@bp.post("/meeting")
@refused
def meeting_view(launch: Launch, token: str) -> Any:
    """One meeting (anyone who may read the community)."""
    return meeting_page(launch, token, meetings.find(session(), _ref()))


@bp.post("/meeting/new")
@refused
def meeting_new(launch: Launch, token: str) -> Any:
    """An empty meeting form, for a coordinator."""
    community = chosen()
    access.require(session(), community, asker_of(launch), "schedule")
    return form_page(launch, token, community, {"minutes": "90", "mode": "online"})


@bp.post("/meeting/edit")
@refused
def meeting_edit(launch: Launch, token: str) -> Any:
    """The meeting's form, filled in, for a coordinator."""
    db = session()
    row = meetings.find(db, _ref())
    community = meetings.community_of(db, row)
    access.require(db, community, asker_of(launch), "schedule")
    at = meeting.local(row.starts_at)
    values = {
        "day": at.date().isoformat(), "time": at.strftime("%H:%M"), "minutes": str(row.minutes),
        "mode": row.mode, "place": row.place, "link": row.link, "agenda": row.agenda,
    }  # fmt: skip
    return form_page(launch, token, community, values, row.ref)


def spec_of(form: Mapping[str, str]) -> meeting.MeetingSpec:
    """The meeting a form describes, or :class:`SpecError` naming each field."""
    try:
        starts: Any = meeting.from_local(form.get("day", ""), form.get("time", ""))
    except ValueError:
        starts = None
    raw = {
        "starts_at": starts, "minutes": _whole(form.get("minutes", "")),
        "mode": form.get("mode", ""), "place": form.get("place", ""),
        "link": form.get("link", ""), "agenda": form.get("agenda", ""),
    }  # fmt: skip
    return meeting.parse(raw)


@bp.post("/meeting/save")
@refused
def meeting_save(launch: Launch, token: str) -> Any:
    """A new meeting, or a coordinator's changes; a form with problems comes back unsaved."""
    db = session()
    community = chosen()
    ref = _ref()
    asker = asker_of(launch)
    access.require(db, community, asker, "schedule")
    try:
        spec = spec_of(request.form)
    except SpecError as exc:
        values = {k: str(v) for k, v in request.form.items() if k not in ("token", "community")}
        return form_page(launch, token, community, values, ref, field_problems(exc)), 422
    if ref:
        row = meetings.reschedule(db, ref, asker, spec)
    else:
        row = meetings.schedule(db, community, asker, spec)
    db.commit()
    return meeting_page(launch, token, row, notice=_("The meeting is saved."))


@bp.post("/meeting/cancel")
@refused
def meeting_cancel(launch: Launch, token: str) -> Any:
    """A coordinator cancels a meeting with no attendance (it is kept)."""
    db = session()
    row = meetings.cancel(db, _ref(), asker_of(launch))
    db.commit()
    return meetings_page(launch, token, meetings.community_of(db, row),
                         notice=_("The meeting is cancelled."))  # fmt: skip


@bp.post("/meeting/answer")
@refused
def meeting_answer(launch: Launch, token: str) -> Any:
    """A member answers the invitation: going or not going."""
    db = session()
    said = request.form.get("answer", "")
    if said not in ("going", "not_going"):
        raise RecordError("wrong_state", said[:20])
    meetings.answer(db, _ref(), asker_of(launch), said)  # type: ignore[arg-type]
    db.commit()
    return meeting_page(launch, token, meetings.find(db, _ref()),
                        notice=_("Your answer is saved: it is not attendance."))  # fmt: skip


@bp.post("/meeting/code")
@refused
def meeting_code(launch: Launch, token: str) -> Any:
    """A coordinator opens a fresh check-in code, or closes it."""
    db = session()
    asker = asker_of(launch)
    if request.form.get("do") == "close":
        row = meetings.close_code(db, _ref(), asker)
        notice = _("The check-in code is closed.")
    else:
        row = meetings.open_code(db, _ref(), asker)
        notice = _("Read the code out to the members: it works for 15 minutes.")
    db.commit()
    return meeting_page(launch, token, row, notice=notice)


@bp.post("/checkin")
@refused
def check_in(launch: Launch, token: str) -> Any:
    """A member checks in with the code the coordinator read out."""
    db = session()
    community = chosen()
    row = meetings.check_in(db, community, asker_of(launch), request.form.get("code", "")[:20],
                            origin_of(launch))  # fmt: skip
    db.commit()
    return meeting_page(launch, token, row, notice=_("You are checked in. Thank you."))


def marks_of(form: Mapping[str, str]) -> dict[int, meeting.Mark]:
    """The register's rows as the form sends them (``status-<membership>``, ``minutes-...``).

    A row left "not recorded" is not sent; anything else that is not a mark refuses all.
    """
    marks: dict[int, meeting.Mark] = {}
    for key, status in form.items():
        number = key.removeprefix("status-")
        if not key.startswith("status-") or not status:
            continue
        if not number.isdigit() or len(number) > 12:
            raise RecordError("no_such_member")
        minutes = form.get(f"minutes-{number}", "").strip()
        raw: dict[str, Any] = {"status": status}
        if minutes:
            raw["minutes"] = _whole(minutes)
        try:
            marks[int(number)] = meeting.parse_mark(raw)
        except SpecError:
            raise RecordError("bad_mark") from None
    return marks


@bp.post("/meeting/attendance")
@refused
def meeting_attendance(launch: Launch, token: str) -> Any:
    """A coordinator records or corrects the register; all rows or none."""
    db = session()
    row = meetings.record(db, _ref(), asker_of(launch), marks_of(request.form), origin_of(launch))
    db.commit()
    return meeting_page(launch, token, row, notice=_("The attendance is saved."))


def register_rows(db: Any, community: Community, launch: Launch) -> Iterator[list[Any]]:
    """The attendance register's rows: one per person per meeting started.

    Read and worded now, in the launch's language: the rows are written after the view
    returns, when its session is closed (a read then would open a transaction nobody
    closes). A register is a few meetings by the community's members: it fits.
    """
    names = words()
    named = labels(db, community, launch.user)
    lines = list(meetings.register(db, community, asker_of(launch)))

    def rows() -> Iterator[list[Any]]:
        for row, line in lines:
            at = meeting.local(row.starts_at)
            organisation, region = shown(line.member)
            yield [
                row.sequence, at.date().isoformat(), at.strftime("%H:%M"), names[row.mode],
                row.minutes, row.place or row.link, named[line.member.id], line.member.user,
                organisation, region, names[line.status or "absent"], line.minutes,
                names.get(line.how, ""),
            ]  # fmt: skip

    return rows()


def register_header() -> list[str]:
    """The register's columns."""
    return [
        _("meeting"), _("date"), _("time"), _("mode"), _("length in minutes"),
        _("place or link"), _("member"), _("pseudonymous id"), _("organisation"), _("region"),
        _("attendance"), _("minutes attended"), _("recorded by"),
    ]  # fmt: skip


@bp.post("/register")
@refused
def register(launch: Launch, token: str) -> Any:
    """The attendance register as CSV or XLSX, for the community's coordinators."""
    community = chosen()
    # Refused here, before any byte is sent: the rows are read now (register_rows).
    rows: Iterable[list[Any]] = register_rows(session(), community, launch)
    name = f"register-{community.slug}"
    if request.form.get("format") == "xlsx":
        return Response(
            xlsx_bytes(_("register"), register_header(), rows),
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
        )
    return Response(
        stream_with_context(csv_lines(register_header(), rows)),
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )
