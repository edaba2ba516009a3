"""What a refusal says to the person who met it, in their language, with what to do next."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from opes_lti.groups import csvgroups
from opes_lti.groups.settings import SettingsError
from opes_lti.groupwork.errors import GroupworkError, What

MESSAGES: MappingProxyType[What, Any] = MappingProxyType(
    {
        "not_instructor": _l("Only the course's instructors can do this."),
        "not_member": _l("Only the group's members can do this."),
        "no_group": _l("You are not in a group yet."),
        "already_in_group": _l("You are already in a group."),
        "already_formed": _l("The groups are already formed: move people one by one instead."),
        "group_full": _l("That group is full: choose another one."),
        "group_closed": _l("That group is closed: choose another one."),
        "no_such_group": _l("That group does not exist (any more): reload the page."),
        "no_such_member": _l("That learner is not in this exercise."),
        "submitted": _l("The group has already handed in its work; it can no longer change."),
        "not_submitted": _l("The group has not handed in its work yet."),
        "refused_late": _l("The deadline has passed and this exercise takes no late work."),
        "nothing_to_submit": _l(
            "There is nothing to hand in yet: write the draft or add it first."
        ),
        "stale_confirmation": _l(
            "Someone saved the draft after you reviewed it: check the latest version and "
            "confirm again."
        ),
        "bad_link": _l("Give a web address that starts with http:// or https://."),
        "too_long": _l("That text is too long: shorten it and save again."),
        "no_such_version": _l("That version of the draft does not exist: reload the page."),
        "disabled": _l("This exercise has been switched off by the instructor."),
        "empty_file": _l("The file is empty: choose another one."),
        "file_too_large": _l("The file is too large: the limit is 10 MB."),
        "file_type": _l(
            "This type of file is not accepted: use PDF, an office document (ODF or "
            "OOXML), PNG, JPEG or plain text."
        ),
        "no_such_file": _l("That file does not exist or was withdrawn."),
        "no_rubric": _l("Write a rubric first: reviews and grades follow its criteria."),
        "no_reviews": _l("This exercise has no peer review."),
        "reviews_started": _l("The reviews were already assigned."),
        "too_few_submissions": _l("Reviews need at least two groups that handed in."),
        "no_such_review": _l("That review is not yours to give (any more)."),
        "reviewed": _l("This review was already given."),
        "bad_review": _l("Choose one level for every criterion."),
        "not_yet": _l("The date for reviews has not passed yet."),
        "bad_rating": _l("Give every member a mark from 0 to 5."),
        "bad_grade": _l("A grade lies between 0 and the exercise's maximum."),
        "not_graded": _l("There is no grade to publish yet."),
        "marks_closed": _l("The grades are published: peer marks can no longer change."),
        "team_group": _l(
            "This group is one of the course's teams: change its members on the course's "
            "Teams page, and the exercise follows."
        ),
    }
)


def message(error: GroupworkError) -> str:
    """The sentence for ``error``."""
    return str(MESSAGES[error.what])


def settings_message(error: SettingsError) -> str:
    """Which settings to fix, by field, with pydantic's words as the detail."""
    fields = ", ".join(sorted({field for field, _, _ in error.errors}))
    return str(_l("Some settings cannot be used (%(fields)s): %(detail)s", fields=fields,
                  detail=str(error)))  # fmt: skip


def import_problem(p: csvgroups.Problem) -> str:
    """One problem of an instructor's spreadsheet, with its line, in their language."""
    words = {
        "header": _("the first line must be learner,group (or persona;gruppo)"),
        "unreadable": _("the line cannot be read"),
        "columns": _("a line has two cells: learner and group"),
        "unknown_learner": _("this learner is not on the course roster"),
        "twice": _("this learner appears twice"),
        "no_group": _("the group is missing"),
        "size": _("the group's size is outside the limits"),
    }[p.what]
    return _("line %(line)s: %(words)s %(value)s", line=p.line, words=words, value=p.value)
