"""What a refusal about a community or its records says to the person, in their language."""

from __future__ import annotations

from flask_babel import gettext as _

from opes_lti.communities.access import RecordError
from opes_lti.communities.services import CommunityError
from opes_lti.communities.spec import SpecError


def message(exc: CommunityError) -> str:
    """The sentence for ``exc``, saying what to do next."""
    return {
        "no_such_community": _("That community does not exist: go back to the communities."),
        "disabled": _("That community is closed: go back to the communities."),
        "not_member": _("You are not a member of this community."),
        "slug_taken": _("A community with that short name exists already."),
    }[exc.what]


def record_message(exc: RecordError) -> str:
    """The sentence for a refused change to a practice or another record."""
    return {
        "no_such_practice": _("That practice does not exist, or is not yours to see."),
        "not_allowed": _("Your role in this community does not allow that."),
        "wrong_state": _("That cannot be done at this stage: the page shows where it stands."),
        "incomplete": _(
            "Fill in the problem, who it is for, what was done and the results "
            "before sending it for review."
        ),
        "comment_needed": _("Say what the author should change: the comment is required."),
        "file_too_large": _("That file is too large: the limit is 10 MB."),
        "file_kind": _(
            "That kind of file cannot be added: use PDF, office documents, images or plain text."
        ),
        "no_such_file": _("Choose a file first."),
        "no_such_member": _("There is no member with that number."),
        "no_such_meeting": _("That meeting does not exist: go back to the meetings."),
        "wrong_code": _(
            "That code is not open in this community: check it with the coordinator, "
            "who may open a new one."
        ),
        "code_window": _(
            "A check-in code opens from half an hour before the meeting to an hour after it."
        ),
        "not_started": _("Attendance is recorded once the meeting has started."),
        "bad_mark": _(
            "Check the register: minutes are whole numbers, and nobody excused or absent "
            "attended minutes."
        ),
        "no_such_record": _("That record does not exist, or is not yours to see."),
        "bad_date": _("Write the date as the calendar offers it (day, month, year)."),
    }[exc.what]


#: The sheet's fields as a person reads them beside the form.
def _field_names() -> dict[str, str]:
    return {
        "title": _("Title"), "organisations": _("Organisations"), "region": _("Region"),
        "province": _("Province"), "stage": _("Stage"), "started_on": _("Started on"),
        "ended_on": _("Ended on"), "problem": _("Problem and context"),
        "audience": _("Who it is for"), "actions": _("What was done"),
        "resources": _("Resources used"), "results": _("Results"),
        "evidence": _("Evidence"), "lessons": _("Difficulties and lessons"),
        "transfer": _("How it could be transferred"), "partners": _("Partners"),
        "links": _("Links"), "licence": _("Licence"), "themes": _("Themes"),
        "record": _("Dates"), "starts_at": _("Date and time"),
        "minutes": _("Length in minutes"), "mode": _("Online or in person"),
        "place": _("Place"), "link": _("Link to the video room"), "agenda": _("Agenda"),
        "act": _("Formal act"), "act_reference": _("Reference of the act"),
        "public_bodies": _("Public bodies"), "since": _("Since"), "provinces": _("Provinces"),
        "description": _("Description"), "practices": _("Practices it comes from"),
        "regions": _("Regions"), "status": _("Stage"), "meetings": _("Meetings it comes from"),
    }  # fmt: skip


def field_problems(exc: SpecError) -> list[tuple[str, str]]:
    """Each problem of a sheet as (field, sentence); a list's row is ``links-0``."""
    names = _field_names()
    found = []
    for where, _why in exc.errors:
        field = where.split(".")[0]
        row = where.split(".")[1] if "." in where else ""
        label = names.get(field, field)
        if row.isdigit():
            label = _("%(field)s, row %(n)s", field=label, n=int(row) + 1)
            field = f"{field}-{row}"  # as the form names the row's inputs
        found.append((field, _("%(field)s: check this field.", field=label)))
    return found
