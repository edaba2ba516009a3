"""Group work's pages for learners inside the course frame. Thin: the work is in the services.

Every request carries the signed page token the launch issued; it says who is asking
and is the forms' CSRF token. Each route finds the asker's group from the token, never
from the form, so a learner can only ever act in their own group.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import wraps
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from babel.numbers import format_decimal
from flask import Blueprint, Response, current_app, render_template, request
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _

from opes_lti.core.db import session
from opes_lti.core.limits import body_limit
from opes_lti.groups import drafts
from opes_lti.groups.numbers import decimal
from opes_lti.groups.settings import ExerciseSettings, SettingsError
from opes_lti.groupwork import files, launched, marks, membership, reviewing, work
from opes_lti.groupwork.errors import GroupworkError, What
from opes_lti.groupwork.exercises import settings_of
from opes_lti.groupwork.models import Exercise, Group, GroupFile
from opes_lti.groupwork.wording import message
from opes_lti.learners import services as learners
from opes_lti.lti import pages
from opes_lti.lti.errors import LaunchError
from opes_lti.lti.framing import embeddable
from opes_lti.lti.launch import Launch
from opes_lti.lti.runtime import source_name

bp = Blueprint(
    "groupwork",
    __name__,
    url_prefix="/groupwork",
    template_folder="templates",
    static_folder="static",
)
embeddable(bp)

#: Dates are shown and entered in Italian wall-clock time.
ZONE = ZoneInfo("Europe/Rome")


@bp.app_template_filter("gw_datetime")
def _datetime(value: datetime) -> str:
    """A moment in Italian wall-clock time, written the reader's way."""
    return format_datetime(value.astimezone(ZONE), "medium", locale=str(get_locale() or "it"))


@bp.app_template_filter("gw_number")
def _number_text(value: float | str | None) -> str:
    """2 not 2.0; 2,5 in Italian."""
    if value is None or value == "":
        return ""
    return format_decimal(round(float(value), 2), locale=str(get_locale() or "it"))


@bp.app_template_filter("gw_group")
def _group_name(group_id: str, rows: list[dict[str, Any]]) -> str:
    """A group of the instructor's table, by its id as the review lists give it."""
    for row in rows:
        if str(row["group"].id) == group_id:
            found: Group = row["group"]
            return found.name or _("Group %(n)s", n=found.number)
    return "?"


@bp.app_template_filter("gw_name")
def _name(user: str, names: dict[str, str]) -> str:
    return names.get(user, "?")


#: An upload's form: the file and a little more.
UPLOAD_BYTES = files.MOST_BYTES + 64 * 1024


@dataclass
class Asking:
    """Who is asking, about which exercise."""

    launch: Launch
    token: str
    exercise: Exercise

    @property
    def settings(self) -> ExerciseSettings:
        """The exercise's settings."""
        return settings_of(self.exercise)

    @property
    def user(self) -> str:
        """The asker's pseudonymous id."""
        return self.launch.user


def asking(launch: Launch | None = None, token: str = "") -> Asking:
    """The asker of this request (from its token), or of a fresh launch."""
    if launch is None:
        launch, token = pages.recall()
    try:
        found = launched.exercise(session(), launch)
    except SettingsError as exc:
        # Only the picker's few choices come from the platform: a link edited by hand.
        raise LaunchError("bad_setup", str(exc)) from None
    return Asking(launch, token or pages.issue(launch), found)


View = TypeVar("View", bound=Callable[..., Any])


def refusals(page: Callable[[Asking, str], Any]) -> Callable[[View], View]:
    """Turn a refusal into ``page`` with its sentence and status; nothing is kept of it."""

    def wrap(view: View) -> View:
        @wraps(view)
        def run(*args: Any, **kwargs: Any) -> Any:
            asked = asking()
            with force_locale(asked.launch.locale):
                try:
                    return view(asked, *args, **kwargs)
                except GroupworkError as exc:
                    session().rollback()
                    current_app.logger.info("group work refused: %s", exc)
                    asked = asking(asked.launch, asked.token)
                    return page(asked, message(exc)), exc.status

        return run  # type: ignore[return-value]

    return wrap


#: Ids and numbers are positive 32-bit integers in every table.
MOST_ID = 2**31 - 1


def form_id(name: str, what: What, least: int = 1) -> int:
    """The form's ``name`` as an id or number, or the refusal ``what``.

    Never a 500 for a value no column could hold.
    """
    raw = request.form.get(name, "").strip()
    if not re.fullmatch(r"[0-9]{1,10}", raw) or not least <= int(raw) <= MOST_ID:
        raise GroupworkError(what)
    return int(raw)


def _own_group(asked: Asking) -> Group:
    return membership.own_group(session(), asked.exercise, asked.user)


def numberer() -> Callable[[int], str]:
    """The name of a member the roster does not name, by number ("Membro 3").

    Its words are looked up once per page, not per member: a page may name thousands.
    """
    pattern = _("Member %(n)s")  # no variables: the translation, unformatted
    return lambda n: pattern % {"n": n}


def learner_page(asked: Asking, error: str = "", notice: str = "") -> str:
    """The learner's page: choosing a group, or the group's work, reviews and grade."""
    db = session()
    ex, user = asked.exercise, asked.user
    group = membership.group_of(db, ex, user)
    past = membership.past_groups(db, ex, user)
    context: dict[str, Any] = {
        "asked": asked,
        "settings": asked.settings,
        "group": group,
        "past": past,
        "error": error,
        "notice": notice,
    }
    if group is None:
        context["choosable"] = membership.choosable(session(), asked.exercise)
        return render_template("groupwork/learner.html", **context)
    context.update(_group_view(asked, group))
    return render_template("groupwork/learner.html", **context)


def _group_view(asked: Asking, group: Group) -> dict[str, Any]:
    db = session()
    ex, user = asked.exercise, asked.user
    history = membership.history(db, group)
    current = [m for m in history if m.left_at is None]
    names = launched.names_of(history, {}, numberer())
    submission = work.submission(db, group)
    giving = [
        (a, work.submission(db, membership.group(db, ex, a.reviewed_group_id)))
        for a in reviewing.to_give(db, ex, group)
    ]
    return {
        "members": current,
        "left": [m for m in history if m.left_at is not None],
        "names": names,
        "latest": work.latest(db, group),
        "versions": list(reversed(work.versions(db, group))),
        "what_changed": _("What changed"),
        "submission": submission,
        "files": files.files_of(db, group),
        "giving": giving,
        "received": reviewing.received(db, ex, group),
        "rubric": asked.settings.to_rubric(),
        "my_ratings": marks.ratings_by(db, group, user),
        "grade": marks.published_for(db, ex, user),
        "me": user,
    }


def render(launch: Launch) -> Any:
    """The page a launch opens: the instructor's view, or the learner's group."""
    from opes_lti.groupwork import staff_views  # the instructor's pages, same blueprint

    asked = asking(launch)
    db = session()
    if launch.is_instructor:
        db.commit()
        return staff_views.staff_page(asked)
    launched.remember_subject(db, asked.exercise, launch)
    membership.join(db, asked.exercise, launched.joining(db, launch))
    db.commit()
    return learner_page(asked)


@bp.post("/back")
@refusals(learner_page)
def back(asked: Asking) -> Any:
    """The learner's page again."""
    return learner_page(asked)


@bp.post("/past")
@refusals(learner_page)
def past(asked: Asking) -> Any:
    """A group the learner was in, read-only."""
    db = session()
    group = membership.group(db, asked.exercise, form_id("group", "no_such_group"))
    if not work.can_read(db, asked.exercise, group, asked.user):
        raise GroupworkError("not_member")
    history = membership.history(db, group)
    return render_template(
        "groupwork/past.html",
        asked=asked,
        settings=asked.settings,
        group=group,
        history=history,
        names=launched.names_of(history, {}, numberer()),
        latest=work.latest(db, group),
        submission=work.submission(db, group),
        files=files.files_of(db, group),
    )


@bp.post("/choose")
@refusals(learner_page)
def choose(asked: Asking) -> Any:
    """A learner takes a place in a group with room (the "choice" method)."""
    db = session()
    group_id = form_id("group", "no_such_group")
    membership.choose(db, asked.exercise, launched.joining(db, asked.launch), group_id)
    db.commit()
    return learner_page(asked, notice=_("You joined the group."))


def _number(name: str) -> int:
    return form_id(name, "no_such_version", least=0)


@bp.post("/draft")
@refusals(learner_page)
def draft(asked: Asking) -> Any:
    """Save the shared draft; a save based on an older version shows both to merge."""
    db = session()
    group = _own_group(asked)
    text = request.form.get("text", "").replace("\r\n", "\n")
    outcome = work.save(db, asked.exercise, group, asked.user, _number("based_on"), text)
    if isinstance(outcome, drafts.Conflict):
        db.rollback()
        return render_template(
            "groupwork/conflict.html",
            asked=asked,
            settings=asked.settings,
            theirs=outcome.theirs,
            mine=outcome.mine,
            changes=drafts.diff(outcome.theirs.text, outcome.mine),
            names=launched.names_of(membership.history(db, group), {}, numberer()),
        ), 409
    db.commit()
    notice = (
        _("Saved as version %(n)s.", n=outcome.version.number)
        if outcome.changed
        else _("Nothing changed since the last version.")
    )
    return learner_page(asked, notice=notice)


@bp.post("/version")
@refusals(learner_page)
def version(asked: Asking) -> Any:
    """One version of the draft, with what changed since the one before."""
    db = session()
    if request.form.get("group"):
        group = membership.group(db, asked.exercise, form_id("group", "no_such_group"))
        if not asked.launch.is_instructor and not work.can_read(
            db, asked.exercise, group, asked.user
        ):
            raise GroupworkError("not_member")
    else:
        group = _own_group(asked)
    number = _number("number")
    shown = work.version(db, group, number)
    before = work.version(db, group, number - 1).text if number > 1 else ""
    return render_template(
        "groupwork/version.html",
        asked=asked,
        settings=asked.settings,
        group=group,
        shown=shown,
        changes=drafts.diff(before, shown.text),
        names=launched.names_of(membership.history(db, group), {}, numberer()),
    )


@bp.post("/confirm")
@refusals(learner_page)
def confirm(asked: Asking) -> Any:
    """What would be handed in, for every member to see before anyone submits."""
    db = session()
    group = _own_group(asked)
    if work.submission(db, group) is not None:
        raise GroupworkError("submitted")
    return render_template(
        "groupwork/confirm.html",
        asked=asked,
        settings=asked.settings,
        latest=work.latest(db, group),
        files=files.files_of(db, group),
        members=membership.members(db, group),
        names=launched.names_of(membership.history(db, group), {}, numberer()),
    )


@bp.post("/submit")
@refusals(learner_page)
def submit(asked: Asking) -> Any:
    """Hand in the group's work, once, after the confirmation."""
    db = session()
    group = _own_group(asked)
    if request.form.get("seen") != "yes":
        return learner_page(
            asked, error=_("Tick the box to say the group has seen what is handed in.")
        ), 400
    profile = learners.get(db, asked.user) or learners.Profile()
    work.submit(
        db,
        asked.exercise,
        group,
        asked.user,
        _number("confirmed") if asked.settings.deliverable == "text" else 0,
        profile.actor(asked.user),
        source_name(),
        link=request.form.get("link", ""),
        file_id=form_id("file", "nothing_to_submit") if request.form.get("file") else None,
    )
    db.commit()
    return learner_page(asked, notice=_("Handed in. Reviews and the grade will appear here."))


@bp.post("/files")
@body_limit(UPLOAD_BYTES)
@refusals(learner_page)
def upload(asked: Asking) -> Any:
    """A member shares a file with the group."""
    db = session()
    group = _own_group(asked)
    sent = request.files.get("file")
    if sent is None or not sent.filename:
        raise GroupworkError("empty_file")
    data = sent.stream.read(files.MOST_BYTES + 1)
    row = files.upload(db, store(), asked.exercise, group, asked.user, sent.filename, data)
    db.commit()
    return learner_page(asked, notice=_("%(name)s is shared with the group.", name=row.filename))


@bp.post("/files/withdraw")
@refusals(learner_page)
def withdraw(asked: Asking) -> Any:
    """A member takes a file back (it is kept, no longer shown)."""
    db = session()
    group = _own_group(asked)
    files.withdraw(db, asked.exercise, group, asked.user, _file_id())
    db.commit()
    return learner_page(asked, notice=_("The file is withdrawn."))


def _file_id() -> int:
    return form_id("file", "no_such_file")


def store() -> files.FileStore:
    """The file store of this app."""
    return files.store_for(current_app.config["OPES_SETTINGS"])


def send_file(row: GroupFile) -> Response:
    """The file's bytes, as a download that no browser runs."""
    return Response(store().get(row.key), headers=files.headers(row))


@bp.post("/file")
@refusals(learner_page)
def download(asked: Asking) -> Any:
    """A file of the asker's group, past or present, or of a group they review."""
    db = session()
    row = reviewing.file_for(db, asked.exercise, _file_id(), asked.user, asked.launch.is_instructor)
    return send_file(row)


def level_choices(rubric_codes: list[str]) -> dict[str, int]:
    """The level chosen for each criterion of a rubric form (a review or a grading)."""
    chosen: dict[str, int] = {}
    for code in rubric_codes:
        raw = request.form.get(f"level-{code}", "")
        if re.fullmatch(r"[0-9]{1,2}", raw):
            chosen[code] = int(raw)
    return chosen


@bp.post("/review")
@refusals(learner_page)
def review(asked: Asking) -> Any:
    """A member gives their group's review of another group's work."""
    db = session()
    group = _own_group(asked)
    rubric = asked.settings.to_rubric()
    assignment = form_id("assignment", "no_such_review")
    profile = learners.get(db, asked.user) or learners.Profile()
    reviewing.give(
        db,
        asked.exercise,
        group,
        asked.user,
        assignment,
        level_choices([c.code for c in rubric.criteria] if rubric else []),
        request.form.get("comment", ""),
        profile.actor(asked.user),
        source_name(),
    )
    db.commit()
    return learner_page(asked, notice=_("Thank you: the review is sent."))


@bp.post("/rate")
@refusals(learner_page)
def rate(asked: Asking) -> Any:
    """A member's marks for each member of the group, seen by nobody else in it."""
    db = session()
    group = _own_group(asked)
    given: dict[str, float] = {}
    for row in membership.members(db, group):
        mark = decimal(request.form.get(f"mark-{row.id}", ""))
        if mark is None:
            raise GroupworkError("bad_rating")
        given[row.user] = mark
    marks.rate(db, asked.exercise, group, asked.user, given)
    db.commit()
    return learner_page(
        asked, notice=_("Your marks are saved. You can change them until the grades are published.")
    )
