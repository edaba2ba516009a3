"""The practice library in the tool's API for blocks (``/api/v1/blocks/communities/...``).

The same services and rules as the LTI pages: the asker is the call's actor, a member,
a community's coordinator or a visitor by their membership. A block's staff are course
staff, not national coordinators: those act from an LTI launch with the platform's
administrator role. Refusals are JSON errors with the words of the LTI pages.
"""

from __future__ import annotations

import base64
from typing import Annotated, Any, Literal

from flask import Response
from flask_babel import gettext as _
from pydantic import BaseModel, ConfigDict, Field

from opes_lti.cdp.block_api import asker_of_call, bp, origin_of_call, run
from opes_lti.communities import access, library, practice
from opes_lti.communities import services as communities
from opes_lti.communities.models import Practice
from opes_lti.communities.rules import may
from opes_lti.communities.spec import Slug, SpecError
from opes_lti.core.db import session
from opes_lti.core.jsonapi import fail
from opes_lti.core.limits import body_limit
from opes_lti.events.domain import RegionCode
from opes_lti.sites import openapi
from opes_lti.sites.bodies import ENCODED, Base64File, decoded
from opes_lti.sites.services import BlockCall

PAGE_SIZE = 20
_REF = Annotated[str, Field(pattern=r"^[0-9a-f]{32}$")]
_ID = Annotated[int, Field(ge=1, le=2**31 - 1)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LibraryBody(_Body):
    """A community's published practices, searched; the viewer's own and those to review."""

    community: Slug
    q: Annotated[str, Field(max_length=200)] = ""
    theme: Annotated[str, Field(max_length=60)] = ""
    region: Literal[""] | RegionCode = ""
    page: Annotated[int, Field(ge=0, le=10_000)] = 0


class PracticeBody(_Body):
    """One practice the viewer may read."""

    practice: _REF


class SaveBody(_Body):
    """A new draft in ``community``, or the author's changes to ``practice``."""

    community: Slug
    practice: _REF | None = None
    sheet: dict[str, Any]


class MoveBody(PracticeBody):
    """Send for review, publish, return (with a comment) or withdraw."""

    move: Literal["submit", "publish", "return", "withdraw"]
    comment: Annotated[str, Field(max_length=2000)] = ""


class ScoreBody(PracticeBody):
    """A coordinator's scores, 1 to 5, on the criteria they score."""

    scores: dict[str, Any]


class AttachBody(PracticeBody):
    """The author adds a file: its name and its bytes in base64."""

    filename: Annotated[str, Field(min_length=1, max_length=500)]
    data: Base64File


class FileBody(PracticeBody):
    """One of the practice's files (to read, or for the author to take off)."""

    file: _ID


BODIES: dict[str, type[BaseModel]] = {
    "library": LibraryBody,
    "practice": PracticeBody,
    "practice_save": SaveBody,
    "practice_move": MoveBody,
    "practice_score": ScoreBody,
    "practice_attach": AttachBody,
    "practice_file": FileBody,
    "practice_unattach": FileBody,
}
SUMMARIES = {
    "library": "A community's published practices, newest first, searched by words (Italian)",
    "practice": "One practice: its sheet, its files, and what the viewer may do with it",
    "practice_save": "Save a draft practice, or the author's changes (422 names each field)",
    "practice_move": "Send for review, publish, return or withdraw (community.practice_shared "
    "on publishing; community.record_withdrawn on withdrawing a published one)",
    "practice_score": "A coordinator's scores on the five criteria",
    "practice_attach": "The author adds a file (checked by its content; base64)",
    "practice_file": "A file of a practice the viewer may read, as name, type and base64 bytes",
    "practice_unattach": "The author takes a file off (it is kept)",
}
openapi.describe(
    str(bp.url_prefix),
    BODIES,
    SUMMARIES,
    {
        "403": "The viewer's role in the community does not allow it",
        "404": "No such community, practice or file (or not the viewer's to see)",
        "409": "Not at this stage",
        "413": "The file is too large",
        "415": "That kind of file cannot be added",
        "422": "The sheet or the scores have problems, each named",
    },
)


def _listed(row: Practice) -> dict[str, Any]:
    return {
        "practice": row.ref,
        "title": row.title,
        "state": row.state,
        "region": row.region or "",
        "published_at": row.published_at.isoformat() if row.published_at else None,
    }


def _library(call: BlockCall, body: LibraryBody) -> dict[str, Any]:
    db = session()
    community = communities.find(db, body.community)
    query = library.Query(text=body.q, theme=body.theme, region=body.region)
    rows, total = library.library(db, community, query, PAGE_SIZE, body.page * PAGE_SIZE)
    asker = asker_of_call(call)
    role = access.role(db, community, asker)
    return {
        "community": community.slug,
        "role": role,
        "practices": [_listed(r) for r in rows],
        "total": total,
        "page_size": PAGE_SIZE,
        "mine": [_listed(r) for r in library.mine(db, community, asker)]
        if may(role, "share")
        else [],
        "waiting": [_listed(r) for r in library.to_review(db, community, asker)]
        if may(role, "review")
        else [],
    }


def _practice(call: BlockCall, row: Practice) -> dict[str, Any]:
    db = session()
    asker = asker_of_call(call)
    community = library.community_of(db, row)
    role = access.role(db, community, asker)
    author, reviewer = row.author == asker.user, may(role, "review")
    return _listed(row) | {
        "community": community.slug,
        "sheet": row.sheet,  # sanitised when saved
        "licence_url": practice.LICENCES[row.sheet.get("licence", "CC-BY-SA-4.0")],
        "comment": row.comment if author or reviewer else "",
        "files": [
            {"file": f.id, "name": f.name, "kind": f.kind, "size": f.size}
            for f in library.files(db, row)
        ],
        "author": author,
        "reviewer": reviewer,
        "history": [
            {"at": h.at.isoformat(), "move": h.move, "state": h.state, "comment": h.comment}
            for h in library.history(db, row)
        ]
        if author or reviewer
        else [],
        "scores": library.scores_of(db, row) if reviewer else {},
    }


def _run(name: str, act: Any) -> Response:
    return run(BODIES, name, act)


@bp.post("/library")
def library_() -> Response:
    """A community's library."""
    return _run("library", _library)


@bp.post("/practice")
def practice_() -> Response:
    """One practice."""
    return _run(
        "practice",
        lambda call, body: {
            "practice": _practice(call, library.read(session(), body.practice, asker_of_call(call)))
        },
    )


def _save(call: BlockCall, body: SaveBody) -> dict[str, Any]:
    db = session()
    spec = practice.parse(body.sheet)
    if body.practice:
        row = library.edit(db, body.practice, asker_of_call(call), spec)
    else:
        row = library.write(db, communities.find(db, body.community), asker_of_call(call), spec)
    return {"practice": _practice(call, row), "saved": True}


@bp.post("/practice_save")
def practice_save() -> Response:
    """Save a draft."""
    return _run("practice_save", _save)


def _move(call: BlockCall, body: MoveBody) -> dict[str, Any]:
    db, asker = session(), asker_of_call(call)
    if body.move == "submit":
        row = library.submit(db, body.practice, asker)
    elif body.move == "publish":
        row = library.publish(db, body.practice, asker, origin_of_call(call))
    elif body.move == "return":
        row = library.send_back(db, body.practice, asker, body.comment)
    else:
        row = library.withdraw(db, body.practice, asker, origin_of_call(call), body.comment)
    return {"practice": _practice(call, row), "moved": body.move}


@bp.post("/practice_move")
def practice_move() -> Response:
    """Move a practice."""
    return _run("practice_move", _move)


def _score(call: BlockCall, body: ScoreBody) -> dict[str, Any]:
    db = session()
    try:
        scores = practice.parse_scores(body.scores)
    except SpecError:
        fail(422, "bad_scores", _("Give each score from 1 to 5, and at least one."))
    library.score(db, body.practice, asker_of_call(call), scores)
    return {"practice": _practice(call, library.find(db, body.practice)), "scored": True}


@bp.post("/practice_score")
def practice_score() -> Response:
    """Score a practice."""
    return _run("practice_score", _score)


def _attach(call: BlockCall, body: AttachBody) -> dict[str, Any]:
    db = session()
    added = library.attach(
        db, body.practice, asker_of_call(call), body.filename, decoded(body.data)
    )
    return {"practice": _practice(call, library.find(db, body.practice)), "file": added.id}


@bp.post("/practice_attach")
@body_limit(ENCODED + 64 * 1024)
def practice_attach() -> Response:
    """Attach a file."""
    return _run("practice_attach", _attach)


def _file(call: BlockCall, body: FileBody) -> dict[str, Any]:
    found = library.file_for(session(), body.practice, body.file, asker_of_call(call))
    data = base64.b64encode(found.data).decode("ascii")
    return {"name": found.name, "kind": found.kind, "size": found.size, "data": data}


@bp.post("/practice_file")
def practice_file() -> Response:
    """Read a file."""
    return _run("practice_file", _file)


def _unattach(call: BlockCall, body: FileBody) -> dict[str, Any]:
    db = session()
    library.withdraw_file(db, body.practice, body.file, asker_of_call(call))
    return {"practice": _practice(call, library.find(db, body.practice)), "removed": body.file}


@bp.post("/practice_unattach")
def practice_unattach() -> Response:
    """Take a file off."""
    return _run("practice_unattach", _unattach)
