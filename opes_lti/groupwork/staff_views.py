"""Group work's pages for instructors: groups, moves, imports, settings, reviews, grades.

Every route checks that the launch is an instructor's before anything else, and finds
groups within the launch's own exercise, so an instructor of another course reaches
nothing here.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any

from flask import Response, current_app, render_template, request
from flask_babel import force_locale
from flask_babel import gettext as _

from opes_lti.competencies import csvformat
from opes_lti.core.db import session
from opes_lti.core.limits import body_limit
from opes_lti.groups import csvgroups
from opes_lti.groups.formation import Member
from opes_lti.groups.numbers import decimal
from opes_lti.groups.settings import SettingsError, dumped, rubric_from_text, rubric_text
from opes_lti.groupwork import exercises, launched, marks, membership, reviewing, work
from opes_lti.groupwork.errors import GroupworkError
from opes_lti.groupwork.membership import Joining
from opes_lti.groupwork.models import Group, Membership
from opes_lti.groupwork.views import (
    ZONE,
    Asking,
    asking,
    bp,
    form_id,
    level_choices,
    numberer,
)
from opes_lti.groupwork.wording import import_problem, message, settings_message
from opes_lti.learners import services as learners
from opes_lti.lti import grades
from opes_lti.lti.runtime import source_name

#: A groups spreadsheet, in bytes.
IMPORT_BYTES = 1024 * 1024


def instructors[View: Callable[..., Any]](view: View) -> View:
    """Only instructors; a refusal shows the instructor's page with its sentence."""

    @wraps(view)
    def run(*args: Any, **kwargs: Any) -> Any:
        asked = asking()
        with force_locale(asked.launch.locale):
            if not asked.launch.is_instructor:
                return render_template("groupwork/refused.html", message=_(
                    "Only the course's instructors can do this."
                )), 403  # fmt: skip
            try:
                return view(asked, *args, **kwargs)
            except GroupworkError as exc:
                session().rollback()
                current_app.logger.info("group work refused: %s", exc)
                return staff_page(asking(asked.launch, asked.token), message(exc)), exc.status

    return run  # type: ignore[return-value]


def _names(roster: launched.Roster, rows: list[Membership]) -> dict[str, str]:
    """Everyone's name on the instructor's pages: the roster's, else a number."""
    number = numberer()
    shown = launched.names_of(rows, roster.names, number)
    for index, user in enumerate(sorted(set(roster.people) - set(shown)), len(shown) + 1):
        shown[user] = roster.names.get(user) or number(index)
    return shown


def staff_page(asked: Asking, error: str = "", notice: str = "") -> str:
    """Groups and who is in them, who is not placed, who waits on whom, and the actions."""
    db = session()
    ex = asked.exercise
    roster = launched.course_roster(db, asked.launch)
    everyone = membership.everyone(db, ex)
    all_groups = membership.groups_of(db, ex)
    now: dict[int, list[Membership]] = {g.id: [] for g in all_groups}
    for row in everyone:
        if row.left_at is None:
            now[row.group_id].append(row)
    placed = {m.user for rows in now.values() for m in rows}
    standing = reviewing.standings(db, ex)
    groups = [
        {
            "group": g,
            "members": now[g.id],
            "submission": standing[g.id].submission,
            "received": standing[g.id].received,
            "grade": standing[g.id].grade,
        }
        for g in all_groups
    ]
    settings = asked.settings
    return render_template(
        "groupwork/staff.html",
        asked=asked,
        settings=settings,
        groups=groups,
        roster=roster,
        unplaced=sorted(u for u in roster.people if u not in placed),
        names=_names(roster, everyone),
        out_of_bounds=membership.out_of_bounds(db, ex, now),
        reviews_started=bool(reviewing.current(db, ex)),
        # Looked up once, not per group (no variables: the translation, unformatted).
        group_label=_("Group %(n)s"),
        waiting=reviewing.waiting(db, ex) if settings.reviews else [],
        error=error,
        notice=notice,
    )


def _joining_of(asked: Asking, user: str, roster: launched.Roster) -> Joining:
    if user in roster.people:
        return roster.people[user]
    row = membership.membership_of(session(), asked.exercise, user)
    if row is None:
        raise GroupworkError("no_such_member", user)
    return Joining(
        Member(user, row.organisation or "", row.region or "", row.community or ""), row.subject
    )


@bp.post("/staff")
@instructors
def page(asked: Asking) -> Any:
    """The instructor's page again (after a download, say)."""
    return staff_page(asked)


@bp.post("/staff/form")
@instructors
def form(asked: Asking) -> Any:
    """Form the groups from the course roster, by the exercise's method, once."""
    db = session()
    roster = launched.course_roster(db, asked.launch)
    formed = membership.form_groups(db, asked.exercise, roster.people.values())
    db.commit()
    notice = _("Groups formed for %(n)s learners.", n=len(roster.people))
    if any(u.what == "sizes" for u in formed.unmet):
        notice += " " + _(
            "Not every group could be kept within the sizes set: check the groups marked "
            "below and move people."
        )
    mixing = [u for u in formed.unmet if u.what == "mixing"]
    if mixing:
        notice += " " + _(
            "%(n)s groups could not be mixed as asked: the roster has too few "
            "organisations or regions for it.",
            n=len(mixing),
        )
    return staff_page(asked, notice=notice)


def _group_id(name: str = "group") -> int:
    return form_id(name, "no_such_group")


@bp.post("/staff/move")
@instructors
def move(asked: Asking) -> Any:
    """Place, move or remove a learner; kept in the group's history."""
    db = session()
    roster = launched.course_roster(db, asked.launch)
    user = request.form.get("user", "")
    to = None if request.form.get("to", "") in ("", "none") else _group_id("to")
    reason = request.form.get("reason", "").strip()[:500]
    membership.move(db, asked.exercise, _joining_of(asked, user, roster), to, asked.user, reason)
    db.commit()
    return staff_page(asked, notice=_("Done: the group's history keeps the change."))


@bp.post("/staff/new-group")
@instructors
def new_group(asked: Asking) -> Any:
    """An empty group, to move people into."""
    db = session()
    made = membership.new_group(db, asked.exercise, request.form.get("name", "").strip()[:200])
    db.commit()
    return staff_page(asked, notice=_("Group %(n)s added.", n=made.number))


def _import_keys(roster: launched.Roster, names: dict[str, str]) -> dict[str, str]:
    """What an instructor may write in the learner column, to the learner it names."""
    keys: dict[str, str] = {}
    for user, joining in roster.people.items():
        keys[user] = user
        if joining.subject:
            keys[joining.subject] = user
        if user in names:
            keys[names[user]] = user
            # As the roster sheet wrote it: a name a spreadsheet would run is guarded there.
            keys[str(csvformat.cell(names[user]))] = user
    return keys


@bp.post("/staff/roster.csv")
@instructors
def roster_csv(asked: Asking) -> Any:
    """The learners and their groups now, as a spreadsheet to edit and import."""
    db = session()
    roster = launched.course_roster(db, asked.launch)
    names = _names(roster, membership.everyone(db, asked.exercise))
    now = membership.active(db, asked.exercise)
    where = {m.user: g for g in membership.groups_of(db, asked.exercise) for m in now[g.id]}
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["persona", "gruppo"])
    for user in sorted(roster.people, key=lambda u: names.get(u, u)):
        group = where.get(user)
        label = roster.names.get(user) or user
        group_name = (group.name or str(group.number)) if group else ""
        # Names come from the platform, as a learner wrote them: none runs as a formula.
        writer.writerow([csvformat.cell(label), csvformat.cell(group_name)])
    return Response(
        "\ufeff" + out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="gruppi.csv"'},
    )


@bp.post("/staff/import")
@body_limit(IMPORT_BYTES + 64 * 1024)
@instructors
def import_groups(asked: Asking) -> Any:
    """Groups from the instructor's spreadsheet, applied whole or not at all."""
    db = session()
    sent = request.files.get("file")
    raw = sent.stream.read(IMPORT_BYTES + 1) if sent is not None else b""
    if not raw or len(raw) > IMPORT_BYTES:
        return staff_page(asked, _("Choose a CSV file of at most 1 MB.")), 400
    text = csvgroups.decoded(raw)
    roster = launched.course_roster(db, asked.launch)
    keys = _import_keys(roster, _names(roster, membership.everyone(db, asked.exercise)))
    read = csvgroups.read(text, keys, asked.settings.bounds)
    if not read.usable:
        problems = "; ".join(import_problem(p) for p in read.problems[:20])
        return staff_page(asked, _("Nothing was changed. %(problems)s", problems=problems)), 400
    imported = csvgroups.Imported(
        {name: [keys[u] for u in users] for name, users in read.groups.items()}, read.problems
    )
    people = {keys[u]: _joining_of(asked, keys[u], roster) for us in read.groups.values()
              for u in us}  # fmt: skip
    membership.apply_import(db, asked.exercise, imported, people, asked.user)
    db.commit()
    warned = [import_problem(p) for p in read.problems]
    return staff_page(
        asked,
        notice=" ".join([_("Groups imported."), *warned]),
    )


def _local(value: datetime | None) -> str:
    return value.astimezone(ZONE).strftime("%Y-%m-%dT%H:%M") if value else ""


def _aware(raw: str) -> str | None:
    if not raw.strip():
        return None
    try:
        return datetime.fromisoformat(raw.strip()).replace(tzinfo=ZONE).isoformat()
    except ValueError:
        return raw  # the settings' own check names the field


def _settings_form(asked: Asking, values: dict[str, Any] | None = None, error: str = "") -> str:
    settings = asked.settings
    if values is None:
        values = dumped(settings)
        values["rubric_text"] = rubric_text(list(settings.rubric))
        values["due_local"] = _local(settings.due)
        values["reviews_due_local"] = _local(settings.reviews.due if settings.reviews else None)
        values["instructor_after_local"] = _local(
            settings.reviews.instructor_after if settings.reviews else None
        )
    return render_template(
        "groupwork/settings.html", asked=asked, settings=settings, values=values, error=error
    )


def _float_of(name: str, default: float) -> float | str:
    raw = request.form.get(name, "").replace(",", ".").strip()
    if not raw:
        return default
    found = decimal(raw)
    return raw if found is None else found


@bp.post("/staff/settings")
@instructors
def settings_form(asked: Asking) -> Any:
    """The designer's form."""
    return _settings_form(asked)


@bp.post("/staff/settings/save")
@instructors
def save_settings(asked: Asking) -> Any:
    """Keep the settings if every one can be used; otherwise the form again, as written."""
    f = request.form
    values: dict[str, Any] = {k: f.get(k, "") for k in f if k != "token"}
    values["rubric_text"] = f.get("rubric", "")
    values["due_local"] = f.get("due", "")
    values["reviews_due_local"] = f.get("reviews_due", "")
    values["instructor_after_local"] = f.get("instructor_after", "")
    values["reviews"] = f.get("peer_review") == "on"
    try:
        raw: dict[str, Any] = {
            "title": f.get("title", "").strip(),
            "instructions": f.get("instructions", ""),
            "least": f.get("least", ""),
            "most": f.get("most", ""),
            "formation": f.get("formation", ""),
            "due": _aware(f.get("due", "")),
            "late": f.get("late", ""),
            "deliverable": f.get("deliverable", ""),
            "rubric": rubric_from_text(f.get("rubric", "")),
            "grading": {
                "scheme": f.get("scheme", ""),
                "weight": _float_of("weight", 0.5),
                "penalty": _float_of("penalty", 0.0),
                "scale": _float_of("scale", 100.0),
            },
        }
        if f.get("peer_review") == "on":
            raw["reviews"] = {
                "gives": f.get("gives", "3"),
                "needs": f.get("needs", "2"),
                "due": _aware(f.get("reviews_due", "")),
                "instructor_after": _aware(f.get("instructor_after", "")),
            }
        db = session()
        before = asked.settings.rubric
        after = exercises.configure(db, asked.exercise, raw).rubric
    except SettingsError as exc:
        session().rollback()
        return _settings_form(asked, values, settings_message(exc)), 400
    notice = _("Settings saved.")
    if after != before and reviewing.current(db, asked.exercise):
        notice += " " + _(
            "The rubric changed after the reviews began: reviews already given keep the "
            "scores the old rubric gave them, so tell the groups and, where it matters, "
            "grade those works yourself."
        )
    db.commit()
    return staff_page(asked, notice=notice)


@bp.post("/staff/reviews/start")
@instructors
def start_reviews(asked: Asking) -> Any:
    """Draw the reviews among the groups that handed in."""
    db = session()
    made = reviewing.start(db, asked.exercise)
    db.commit()
    return staff_page(asked, notice=_("%(n)s reviews assigned.", n=len(made)))


@bp.post("/staff/reviews/reassign")
@instructors
def reassign(asked: Asking) -> Any:
    """Move the reviews idle groups owe to groups that review."""
    db = session()
    moved = reviewing.reassign_idle(db, asked.exercise)
    db.commit()
    return staff_page(asked, notice=_("%(n)s reviews moved to groups that review.", n=moved))


def group_page(asked: Asking, group: Group, error: str = "", notice: str = "") -> str:
    """One group: its history, work, reviews, and each member's grade with its parts."""
    db = session()
    ex = asked.exercise
    roster = launched.course_roster(db, asked.launch)
    history = membership.history(db, group)
    submission = work.submission(db, group)
    grades_now = marks.compute(db, ex, group) if submission is not None else []
    db.commit()  # the parts shown are the ones stored
    return render_template(
        "groupwork/staff_group.html",
        asked=asked,
        settings=asked.settings,
        group=group,
        history=history,
        names=_names(roster, history),
        latest=work.latest(db, group),
        versions=list(reversed(work.versions(db, group))),
        submission=submission,
        received=reviewing.received(db, ex, group),
        rubric=asked.settings.to_rubric(),
        group_grade=reviewing.group_grade(db, ex, group),
        member_grades=grades_now,
        error=error,
        notice=notice,
    )


def _own(asked: Asking) -> Group:
    return membership.group(session(), asked.exercise, _group_id())


@bp.post("/staff/group")
@instructors
def group(asked: Asking) -> Any:
    """One group in full."""
    return group_page(asked, _own(asked))


def _on_group_page[View: Callable[..., Any]](view: View) -> View:
    """A refusal on a group's page comes back to that page."""

    @wraps(view)
    def run(asked: Asking) -> Any:
        found = _own(asked)
        try:
            return view(asked, found)
        except GroupworkError as exc:
            session().rollback()
            return group_page(asked, found, error=message(exc)), exc.status

    return run  # type: ignore[return-value]


@bp.post("/staff/grade")
@instructors
@_on_group_page
def staff_grade(asked: Asking, found: Group) -> Any:
    """The instructor grades the group's work, by the rubric or with a score."""
    db = session()
    rubric = asked.settings.to_rubric()
    choices = None
    score = None
    if rubric is not None:
        choices = level_choices([c.code for c in rubric.criteria])
    else:
        score_raw = _float_of("score", -1.0)
        score = score_raw if isinstance(score_raw, float) else -1.0
    profile = learners.get(db, asked.user) or learners.Profile()
    reviewing.staff_grade(
        db,
        asked.exercise,
        found,
        asked.user,
        choices,
        request.form.get("comment", ""),
        profile.actor(asked.user),
        source_name(),
        score=score,
    )
    db.commit()
    return group_page(asked, found, notice=_("The group's grade is saved."))


def _member_of(asked: Asking, found: Group) -> str:
    user = request.form.get("user", "")
    if user not in marks.graded_members(session(), found):
        raise GroupworkError("no_such_member", user)
    return user


@bp.post("/staff/member-grade")
@instructors
@_on_group_page
def member_grade(asked: Asking, found: Group) -> Any:
    """A member's own grade (individual scheme) or an override, with its reason."""
    db = session()
    user = _member_of(asked, found)
    raw = request.form.get("grade", "").strip()
    value = decimal(raw) if raw else None
    if raw and value is None:
        raise GroupworkError("bad_grade")
    if request.form.get("kind") == "individual":
        if value is None:
            raise GroupworkError("bad_grade")
        marks.set_individual(db, asked.exercise, found, user, value)
    else:
        marks.override(
            db, asked.exercise, found, user, value, request.form.get("reason", ""), asked.user
        )
    db.commit()
    return group_page(asked, found, notice=_("The member's grade is saved."))


@bp.post("/staff/publish")
@instructors
@_on_group_page
def publish(asked: Asking, found: Group) -> Any:
    """Every member's grade to the report and to the course's gradebook."""
    db = session()
    book = launched.gradebook(asked.exercise)
    unsent: list[str] = []

    def send(member: Membership | None, grade: float, maximum: float) -> None:
        if book is None or member is None or not member.subject:
            unsent.append(member.user if member else "?")
            return
        grades.submit_for(
            db,
            book,
            member.subject,
            launched.KEY,
            asked.settings.title,
            grades.Score(grade, maximum),
        )

    def actor_of(user: str) -> Any:
        return (learners.get(db, user) or learners.Profile()).actor(user)

    done = marks.publish(db, asked.exercise, found, actor_of, source_name(), send)
    if not done:
        raise GroupworkError("not_graded")
    db.commit()
    notice = _("%(n)s grades published.", n=len(done))
    if unsent:
        notice += " " + _(
            "%(n)s could not go to the course's gradebook: the platform takes no grades "
            "for this activity, or the learner has not opened it since being placed.",
            n=len(unsent),
        )
    return group_page(asked, found, notice=notice)
