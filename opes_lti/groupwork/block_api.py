"""Group work in the tool's API for blocks (``/api/v1/blocks/groupwork``). Thin, like the pages.

Every call is a POST from the LMS server with the site token and the acting headers
(``sites.api.block_call``), and names the block by its usage id with the settings Studio
saved. Refusals are JSON errors with the same codes and sentences as the LTI pages.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from functools import wraps
from typing import Annotated, Any, Literal, TypeVar

from flask import Blueprint, Response, current_app, jsonify
from flask_babel import gettext as _
from pydantic import BaseModel, ConfigDict, Field

from opes_lti.core.db import session
from opes_lti.core.jsonapi import answers_json, fail
from opes_lti.core.limits import DEFAULT_BYTES, body_limit
from opes_lti.groups import csvgroups, drafts
from opes_lti.groups.settings import SettingsError
from opes_lti.groupwork import blocks, files, marks, membership, reviewing, work
from opes_lti.groupwork.errors import GroupworkError
from opes_lti.groupwork.exercises import settings_of
from opes_lti.groupwork.models import Exercise
from opes_lti.groupwork.wording import import_problem, message, settings_message
from opes_lti.learners.profile import Profile, ProfileError, clean
from opes_lti.sites import openapi
from opes_lti.sites.api import block_body, block_call
from opes_lti.sites.bodies import ENCODED, Base64File, decoded
from opes_lti.sites.services import BlockCall

bp = Blueprint("groupwork_blocks", __name__, url_prefix="/api/v1/blocks/groupwork")
answers_json(bp, "opes-tool")

_ID = Annotated[int, Field(ge=1, le=2**31 - 1)]
#: Printable ASCII without a space at either end, as Open edX usage ids are.
_PRINTABLE = r"^[!-~](?:[ -~]*[!-~])?$"


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")

    #: The block's usage id: the exercise's key on this site.
    placement: Annotated[str, Field(min_length=1, max_length=500, pattern=_PRINTABLE)]
    #: The settings as Studio saved them (``groups.settings``); checked on every call.
    settings: dict[str, Any]
    #: The settings' key a copied course carries (the block's ``config_key`` field).
    config_key: Annotated[str, Field(max_length=36)] | None = None
    #: The learner's OPES profile (role, organisation, region), each optional.
    profile: dict[str, str | None] = {}


class Team(BaseModel):
    """The viewer's team on the platform (Open edX teams), which is their group."""

    model_config = ConfigDict(extra="forbid")

    id: Annotated[str, Field(min_length=1, max_length=100, pattern=_PRINTABLE)]
    name: Annotated[str, Field(max_length=100)] = ""


class PageBody(_Body):
    """Open the block: the exercise, the viewer's group, work and grade.

    ``subject``: the platform's own id for the viewer (Open edX's anonymous user id),
    kept so the block can name learners to their instructors; never a name.
    """

    team: Team | None = None
    subject: Annotated[str, Field(min_length=1, max_length=500, pattern=_PRINTABLE)] | None = None


class DraftBody(_Body):
    """Save the group's draft, based on the version the member saw."""

    based_on: Annotated[int, Field(ge=0, le=2**31 - 1)]
    text: Annotated[str, Field(max_length=drafts.MOST_CHARACTERS)]


class SubmitBody(_Body):
    """Hand in: the version the member confirmed, the link, or one of the group's files."""

    confirmed: Annotated[int, Field(ge=0, le=2**31 - 1)] = 0
    link: Annotated[str, Field(max_length=2000)] = ""
    file: _ID | None = None


class UploadBody(_Body):
    """A member shares a file with the group: its name and its bytes in base64."""

    filename: Annotated[str, Field(min_length=1, max_length=500)]
    data: Base64File

    def decoded(self) -> bytes:
        """The file's bytes."""
        return decoded(self.data)


class VersionBody(_Body):
    """One version of a draft: the viewer's group's, or ``group``'s (a past one, or staff)."""

    number: _ID
    group: _ID | None = None


class FileBody(_Body):
    """One of the exercise's files (to read, or to withdraw from the group)."""

    file: _ID


_MARK = Annotated[float, Field(ge=0, le=marks.MOST_MARK)]
_USER = Annotated[str, Field(min_length=1, max_length=64, pattern=_PRINTABLE)]
_REASON = Annotated[str, Field(max_length=1000)]


class Found(BaseModel):
    """A learner the block found on the platform for a cell of the spreadsheet."""

    model_config = ConfigDict(extra="forbid")

    user: _USER
    subject: Annotated[str, Field(min_length=1, max_length=500, pattern=_PRINTABLE)] | None = None


#: An instructor's spreadsheet, in characters, and the learners it may name.
IMPORT_CHARS = 1024 * 1024
IMPORT_NAMED = 5000


class ImportBody(_Body):
    """The instructor's spreadsheet of groups (``learner,group``, or ``persona;gruppo``).

    ``found``: each learner cell the block found on the platform (a username or an
    e-mail), with that learner's pseudonym; a cell not in it names nobody known.
    """

    text: Annotated[str, Field(max_length=IMPORT_CHARS)]
    found: Annotated[dict[Annotated[str, Field(max_length=300)], Found],
                     Field(max_length=IMPORT_NAMED)] = {}  # fmt: skip


class ReviewBody(_Body):
    """A member gives their group's review of another group's work, by the rubric."""

    assignment: _ID
    levels: dict[Annotated[str, Field(max_length=40)], Annotated[int, Field(ge=0, le=99)]] = {}
    comment: Annotated[str, Field(max_length=reviewing.MOST_COMMENT)] = ""


class GradeBody(_Body):
    """The instructor's grade for a group: a score, or a level per rubric criterion."""

    group: _ID
    score: Annotated[float, Field(ge=0, le=1000)] | None = None
    levels: dict[str, Annotated[int, Field(ge=0, le=99)]] = {}
    comment: Annotated[str, Field(max_length=5000)] = ""


class GroupBody(_Body):
    """One group: an instructor's action on it (open, publish), or a learner's choice."""

    group: _ID


class RateBody(_Body):
    """A member's peer marks (WebPA), by the member numbers the page shows."""

    marks: Annotated[dict[Annotated[str, Field(pattern=r"^[1-9][0-9]{0,2}$")], _MARK],
                     Field(min_length=1, max_length=50)]  # fmt: skip


class MemberBody(_Body):
    """The instructor's grade for one member: their own, or an override.

    ``individual`` sets the member's grade under the individual scheme; ``override``
    replaces whatever the scheme gave, with its reason, and without a grade takes it back.
    """

    group: _ID
    user: _USER
    kind: Literal["override", "individual"]
    grade: Annotated[float, Field(ge=0, le=1000)] | None = None
    reason: _REASON = ""


class MoveBody(_Body):
    """The instructor places or moves a learner, or takes them out of their group.

    To group ``to``, to a new group with ``new_group``, out of their group with neither.
    """

    user: _USER
    to: _ID | None = None
    new_group: bool = False
    reason: _REASON = ""


BODIES: dict[str, type[_Body]] = {
    "page": PageBody,
    "draft": DraftBody,
    "submit": SubmitBody,
    "upload": UploadBody,
    "withdraw": FileBody,
    "file": FileBody,
    "rate": RateBody,
    "review": ReviewBody,
    "choose": GroupBody,
    "version": VersionBody,
    "past": GroupBody,
    "form": _Body,
    "start_reviews": _Body,
    "import": ImportBody,
    "reassign": _Body,
    "group": GroupBody,
    "grade": GradeBody,
    "member": MemberBody,
    "move": MoveBody,
    "publish": GroupBody,
}

#: What each call does, for the API's OpenAPI document.
SUMMARIES = {
    "page": "Open the block: the exercise, the viewer's group, work and grade",
    "draft": "Save the group's draft (409 with both texts when based on an older version)",
    "submit": "Hand in the group's work",
    "upload": "Share a file with the group (checked by its content; base64)",
    "withdraw": "Take a file back before hand-in (it is kept, no longer shown)",
    "file": "A file the viewer may read, as name, type and base64 bytes",
    "review": "Give the viewer's group's review of another group's work (once)",
    "choose": "Take a place in a group with room (when learners choose their group)",
    "version": "One version of a draft with what changed since the one before",
    "past": "A group the viewer was in, read-only: its members, work and files",
    "start_reviews": "Draw the reviews between the groups that handed in (staff, once)",
    "import": "Groups from the instructor's spreadsheet, applied whole or not at all (staff)",
    "reassign": "After the reviewing date, move reviews idle groups owe (staff)",
    "rate": "Rate each member of the viewer's group (peer assessment, seen by no one else)",
    "form": "Form the groups from everyone who opened the block (staff, once)",
    "group": "One group for its instructors: history, work, member grades with parts",
    "grade": "Grade a group's work, by score or rubric levels (staff)",
    "member": "A member's own grade or an override with its reason (staff)",
    "move": "Place, move or take out a learner (staff; history kept)",
    "publish": "Publish a group's member grades (staff)",
}
_REFUSALS = {
    "403": "The viewer may not do this (not a member, not staff, another course)",
    "404": "No such group, or no such learner in the exercise",
    "409": "The exercise's state forbids it now (submitted, formed, a newer draft)",
    "413": "The body is too large (an upload: over the file limit in base64)",
}
openapi.describe(str(bp.url_prefix), BODIES, SUMMARIES, _REFUSALS)

Handler = TypeVar("Handler", bound=Callable[..., Any])


class Asked:
    """One call: who acts, the body, the exercise, the viewer's profile."""

    def __init__(self, call: BlockCall, body: Any, exercise: Exercise, profile: Profile):
        self.call, self.body, self.exercise, self.profile = call, body, exercise, profile

    def actor(self) -> Any:
        """The events' actor for the viewer."""
        return self.profile.actor(self.call.actor)

    def staff(self) -> None:
        """Only course staff may go on."""
        if self.call.role != "staff":
            raise GroupworkError("not_instructor")

    def staff_group(self) -> Any:
        """The group the body names, for course staff only."""
        self.staff()
        return membership.group(session(), self.exercise, self.body.group)


#: An upload's body: the file in base64 beside the settings (a long brief included).
UPLOAD_BYTES = ENCODED + DEFAULT_BYTES + 64 * 1024


def endpoint(name: str, limit: int = DEFAULT_BYTES) -> Callable[[Handler], Handler]:
    """A POST route taking ``BODIES[name]``: checked, the exercise opened, refusals as JSON."""

    def wrap(handler: Handler) -> Handler:
        @body_limit(limit)
        @wraps(handler)
        def run() -> Any:
            call = block_call()
            body = block_body(BODIES[name])
            db = session()
            try:
                profile = clean(body.profile)
                exercise = blocks.open_for(db, call, body.placement, body.settings, body.config_key)
                answer = handler(Asked(call, body, exercise, profile))
                db.commit()
                return answer
            except ProfileError as exc:
                db.rollback()
                said = _("The profile cannot be used (%(field)s): %(detail)s", field=exc.field,
                         detail=str(exc))  # fmt: skip
                fail(400, "bad_profile", said)
            except SettingsError as exc:
                db.rollback()
                fail(400, "bad_settings", settings_message(exc))
            except GroupworkError as exc:
                db.rollback()
                current_app.logger.info("group work refused (block): %s", exc)
                fail(exc.status, exc.what, message(exc))

        bp.add_url_rule(f"/{name}", endpoint=name, view_func=run, methods=["POST"])
        return handler

    return wrap


def _page(asked: Asked, **extra: Any) -> Response:
    return jsonify(blocks.page(session(), asked.exercise, asked.call) | extra)


def _own_group(asked: Asked) -> Any:
    return membership.own_group(session(), asked.exercise, asked.call.actor)


@endpoint("page")
def page(asked: Asked) -> Response:
    """The block opened: the viewer is remembered (and placed if groups are formed)."""
    team = asked.body.team
    placed = (team.id, team.name) if team is not None else None
    blocks.visit(session(), asked.exercise, asked.call, asked.profile, placed,
                 asked.body.subject)  # fmt: skip
    return _page(asked)


@endpoint("draft")
def draft(asked: Asked) -> Response:
    """Save the shared draft; one based on an older version is a 409 with both texts."""
    db = session()
    group = _own_group(asked)
    text = asked.body.text.replace("\r\n", "\n")
    outcome = work.save(db, asked.exercise, group, asked.call.actor, asked.body.based_on, text)
    if isinstance(outcome, drafts.Conflict):
        db.rollback()
        conflict = {
            "error": {"code": "conflict", "message": message(GroupworkError("stale_confirmation"))},
            "theirs": {"number": outcome.theirs.number, "text": outcome.theirs.text},
            "mine": outcome.mine,
        }
        return Response(jsonify(conflict).get_data(), status=409, mimetype="application/json")
    return _page(asked, saved={"number": outcome.version.number, "changed": outcome.changed})


@endpoint("submit")
def submit(asked: Asked) -> Response:
    """Hand in the group's work (any member, after confirming the version they saw)."""
    db = session()
    group = _own_group(asked)
    work.submit(
        db,
        asked.exercise,
        group,
        asked.call.actor,
        asked.body.confirmed,
        asked.actor(),
        asked.call.site.name,
        link=asked.body.link,
        file_id=asked.body.file,
    )
    return _page(asked)


def _store() -> files.FileStore:
    return files.store_for(current_app.config["OPES_SETTINGS"])


@endpoint("upload", limit=UPLOAD_BYTES)
def upload(asked: Asked) -> Response:
    """A member shares a file with the group; refused whole when it cannot be taken."""
    db = session()
    body = asked.body
    row = files.upload(db, _store(), asked.exercise, _own_group(asked), asked.call.actor,
                       body.filename, body.decoded())  # fmt: skip
    return _page(asked, uploaded=row.filename)


@endpoint("withdraw")
def withdraw(asked: Asked) -> Response:
    """A member takes a file back before hand-in; its bytes and row are kept."""
    files.withdraw(session(), asked.exercise, _own_group(asked), asked.call.actor,
                   asked.body.file)  # fmt: skip
    return _page(asked, withdrawn=True)


@endpoint("file")
def read_file(asked: Asked) -> Response:
    """A file for its group, past members, the groups reviewing it and the instructors."""
    row = reviewing.file_for(session(), asked.exercise, asked.body.file, asked.call.actor,
                             asked.call.role == "staff")  # fmt: skip
    data = _store().get(row.key)
    return jsonify(
        filename=row.filename,
        content_type=row.content_type,
        data=base64.b64encode(data).decode("ascii"),
    )


@endpoint("review")
def review(asked: Asked) -> Response:
    """The viewer's group reviews another group's work, once, by the rubric."""
    body = asked.body
    reviewing.give(session(), asked.exercise, _own_group(asked), asked.call.actor,
                   body.assignment, dict(body.levels), body.comment, asked.actor(),
                   asked.call.site.name)  # fmt: skip
    return _page(asked, reviewed=True)


@endpoint("start_reviews")
def start_reviews(asked: Asked) -> Response:
    """Draw the reviews among the groups that handed in (instructors, once)."""
    asked.staff()
    drawn = reviewing.start(session(), asked.exercise)
    return _page(asked, reviews_drawn=len(drawn))


@endpoint("reassign")
def reassign(asked: Asked) -> Response:
    """After the reviewing date, move the reviews idle groups owe to groups that review."""
    asked.staff()
    return _page(asked, reassigned=reviewing.reassign_idle(session(), asked.exercise))


@endpoint("rate")
def rate(asked: Asked) -> Response:
    """The viewer's peer marks for their group; they may change them until publishing."""
    given = {int(number): mark for number, mark in asked.body.marks.items()}
    blocks.rate(session(), asked.exercise, _own_group(asked), asked.call.actor, given)
    return _page(asked, rated=True)


@endpoint("choose")
def choose(asked: Asked) -> Response:
    """The viewer takes a place in a group with room (the "choice" method)."""
    blocks.choose(session(), asked.exercise, asked.call.actor, asked.body.group)
    return _page(asked, chose=True)


@endpoint("version")
def version(asked: Asked) -> Response:
    """One version of a group's draft, with its changes; the page around it."""
    db = session()
    group = blocks.readable_group(db, asked.exercise, asked.call, asked.body.group)
    return _page(asked, version=blocks.version_data(db, group, asked.body.number))


@endpoint("past")
def past(asked: Asked) -> Response:
    """A group the viewer was in: they keep reading what it wrote."""
    db = session()
    group = blocks.readable_group(db, asked.exercise, asked.call, asked.body.group)
    return _page(asked, past_group=blocks.past_data(db, group, asked.call.actor))


@endpoint("form")
def form(asked: Asked) -> Response:
    """Form the groups from everyone who opened the block (instructors, once)."""
    asked.staff()
    db = session()
    formed = membership.form_groups(db, asked.exercise, blocks.roster(db, asked.exercise))
    return _page(asked, unmet=len(formed.unmet))


def _detail(asked: Asked, group: Any, **extra: Any) -> Response:
    db = session()
    opened = blocks.detail(db, asked.exercise, group)
    return _page(asked, detail=opened, **extra)


@endpoint("group")
def group(asked: Asked) -> Response:
    """One group in full, for its instructors."""
    return _detail(asked, asked.staff_group())


@endpoint("member")
def member(asked: Asked) -> Response:
    """A member's own grade (individual scheme) or an override, with its reason."""
    found = asked.staff_group()
    db = session()
    body = asked.body
    if body.kind == "individual":
        if body.grade is None:
            raise GroupworkError("bad_grade")
        marks.set_individual(db, asked.exercise, found, body.user, body.grade)
    else:
        marks.override(db, asked.exercise, found, body.user, body.grade, body.reason,
                       asked.call.actor)  # fmt: skip
    return _detail(asked, found, member_graded=True)


@endpoint("move")
def move(asked: Asked) -> Response:
    """Place, move or take out a learner; the group they went to is opened."""
    asked.staff()
    db = session()
    body = asked.body
    into = blocks.place(db, asked.exercise, body.user, body.to, body.new_group,
                        asked.call.actor, body.reason)  # fmt: skip
    if into is None:
        return _page(asked, moved=None)
    return _detail(asked, into, moved=into.id)


@endpoint("grade")
def grade(asked: Asked) -> Response:
    """The instructor grades a group's work."""
    group = asked.staff_group()
    db = session()
    reviewing.staff_grade(
        db,
        asked.exercise,
        group,
        asked.call.actor,
        asked.body.levels or None,
        asked.body.comment,
        asked.actor(),
        asked.call.site.name,
        score=asked.body.score,
    )
    return _detail(asked, group, graded=group.id)


@endpoint("publish")
def publish(asked: Asked) -> Response:
    """Publish the group's member grades: an event each; each member's block takes theirs."""
    group = asked.staff_group()
    db = session()
    placed = {m.user: m for m in membership.history(db, group)}

    def actor_of(user: str) -> Any:
        found = placed.get(user)
        where = (found.organisation, found.region) if found is not None else (None, None)
        return Profile(None, *where).actor(user)

    sent = marks.publish(db, asked.exercise, group, actor_of, asked.call.site.name)
    if not sent:
        raise GroupworkError("not_graded")
    return _detail(asked, group, published=len(sent))


@endpoint("import", limit=8 * 1024 * 1024)
def import_groups(asked: Asked) -> Response:
    """Groups from the instructor's spreadsheet, applied whole or not at all."""
    asked.staff()
    db = session()
    found = asked.body.found
    known = {cell: f.user for cell, f in found.items()}
    read = csvgroups.read(asked.body.text, known, settings_of(asked.exercise).bounds)
    if not read.usable:
        problems = "; ".join(import_problem(p) for p in read.problems[:20])
        fail(400, "bad_import", _("Nothing was changed. %(problems)s", problems=problems))
    imported = csvgroups.Imported(
        {name: [known[c] for c in cells] for name, cells in read.groups.items()}, read.problems
    )
    people = {
        known[c]: blocks.coming(db, asked.exercise, known[c], found[c].subject)
        for cells in read.groups.values()
        for c in cells
    }
    membership.apply_import(db, asked.exercise, imported, people, asked.call.actor)
    return _page(asked, imported=len(imported.groups),
                 warnings=[import_problem(p) for p in read.problems])  # fmt: skip
