"""Partnerships and interventions in the tool's API for blocks (``.../records``, ``.../record...``).

The services and rules of the LTI pages (:mod:`opes_lti.communities.registry`): members
record, the community's coordinators confirm, return, withdraw and move interventions
on. The record itself is the same JSON the pages' forms make (:mod:`.partnership`).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from flask import Response
from pydantic import BaseModel, ConfigDict, Field

from opes_lti.cdp.block_api import asker_of_call, bp, origin_of_call, run
from opes_lti.communities import access, partnership, registry
from opes_lti.communities import services as communities
from opes_lti.communities.access import RecordError
from opes_lti.communities.models import Registered
from opes_lti.communities.partnership import Kind
from opes_lti.communities.rules import may
from opes_lti.communities.spec import Slug
from opes_lti.core.db import session
from opes_lti.sites import openapi
from opes_lti.sites.services import BlockCall

_REF = Annotated[str, Field(pattern=r"^[0-9a-f]{32}$")]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RecordsBody(_Body):
    """A community's confirmed records of one kind; the viewer's own; those to confirm."""

    community: Slug
    kind: Kind


class RecordBody(_Body):
    """One record the viewer may read."""

    record: _REF


class SaveBody(_Body):
    """A new record in ``community``, or the author's changes to ``record``."""

    community: Slug
    kind: Kind
    record: _REF | None = None
    sheet: dict[str, Any]


class MoveBody(RecordBody):
    """Confirm, return (with a comment) or withdraw."""

    move: Literal["confirm", "return", "withdraw"]
    comment: Annotated[str, Field(max_length=2000)] = ""


class ProgressBody(RecordBody):
    """A coordinator moves a confirmed intervention on, on a day (today if none)."""

    stage: Literal["planned", "running", "completed"]
    on: date | None = None


BODIES: dict[str, type[BaseModel]] = {
    "records": RecordsBody,
    "record": RecordBody,
    "record_save": SaveBody,
    "record_move": MoveBody,
    "record_progress": ProgressBody,
}
SUMMARIES = {
    "records": "A community's confirmed partnerships or interventions, the viewer's own, "
    "and for coordinators those waiting for confirmation",
    "record": "One partnership or intervention, its links and, for its author and "
    "coordinators, its history",
    "record_save": "Record a partnership or an intervention, or change one not yet confirmed "
    "(422 names each field)",
    "record_move": "Confirm, return or withdraw (community.partnership_recorded or "
    "community.intervention_recorded once it counts; community.record_withdrawn after)",
    "record_progress": "A coordinator moves a confirmed intervention on: running, completed",
}
openapi.describe(
    str(bp.url_prefix),
    BODIES,
    SUMMARIES,
    {
        "403": "The viewer's role in the community does not allow it",
        "404": "No such community, record, practice or meeting (or not the viewer's to see)",
        "409": "Not at this stage",
        "422": "The record has problems, each named",
    },
)


def _listed(row: Registered) -> dict[str, Any]:
    return {
        "record": row.ref, "kind": row.kind, "title": row.title, "state": row.state,
        "stage": row.status or None,
        "confirmed_at": row.confirmed_at.isoformat() if row.confirmed_at else None,
    }  # fmt: skip


def _records(call: BlockCall, body: RecordsBody) -> dict[str, Any]:
    db = session()
    community = communities.find(db, body.community)
    asker = asker_of_call(call)
    role = access.role(db, community, asker)
    return {
        "community": community.slug,
        "kind": body.kind,
        "role": role,
        "records": [_listed(r) | {"sheet": r.sheet}
                    for r in registry.listed(db, community, body.kind)],
        "mine": [_listed(r) for r in registry.mine(db, community, asker, body.kind)]
        if may(role, "share") else [],
        "waiting": [_listed(r) for r in registry.to_confirm(db, community, asker, body.kind)]
        if may(role, "confirm") else [],
    }  # fmt: skip


def _record(call: BlockCall, row: Registered) -> dict[str, Any]:
    db = session()
    asker = asker_of_call(call)
    community = registry.community_of(db, row)
    confirmer = may(access.role(db, community, asker), "confirm")
    author = row.author == asker.user
    practices, held = registry.links(db, row)
    return _listed(row) | {
        "community": community.slug,
        "sheet": row.sheet,  # sanitised when saved
        "comment": row.comment if author or confirmer else "",
        "author": author,
        "confirmer": confirmer,
        "practices": [{"practice": p.ref, "title": p.title} for p in practices],
        "meetings": [{"meeting": m.ref, "sequence": m.sequence} for m in held],
        "history": [
            {"at": h.at.isoformat(), "move": h.move, "state": h.state, "stage": h.status or None,
             "comment": h.comment}
            for h in registry.history(db, row)
        ] if author or confirmer else [],
    }  # fmt: skip


def _run(name: str, act: Any) -> Response:
    return run(BODIES, name, act)


@bp.post("/records")
def records() -> Response:
    """A community's records of one kind."""
    return _run("records", _records)


@bp.post("/record")
def record() -> Response:
    """One record."""
    return _run(
        "record",
        lambda call, body: {
            "record": _record(call, registry.read(session(), body.record, asker_of_call(call)))
        },
    )


def _save(call: BlockCall, body: SaveBody) -> dict[str, Any]:
    db = session()
    spec = partnership.parse(body.kind, body.sheet)
    asker = asker_of_call(call)
    community = communities.find(db, body.community)
    if body.record:
        row = registry.read(db, body.record, asker)
        if row.community_id != community.id:
            raise RecordError("no_such_record", body.record)
        row = registry.edit(db, body.record, asker, spec)
    else:
        row = registry.record(db, community, asker, spec)
    return {"record": _record(call, row), "saved": True}


@bp.post("/record_save")
def record_save() -> Response:
    """Record, or change a record."""
    return _run("record_save", _save)


def _move(call: BlockCall, body: MoveBody) -> dict[str, Any]:
    db, asker, origin = session(), asker_of_call(call), origin_of_call(call)
    if body.move == "confirm":
        row = registry.confirm(db, body.record, asker, origin)
    elif body.move == "return":
        row = registry.send_back(db, body.record, asker, body.comment)
    else:
        row = registry.withdraw(db, body.record, asker, origin, body.comment)
    return {"record": _record(call, row), "moved": body.move}


@bp.post("/record_move")
def record_move() -> Response:
    """Move a record."""
    return _run("record_move", _move)


def _progress(call: BlockCall, body: ProgressBody) -> dict[str, Any]:
    row = registry.progress(session(), body.record, asker_of_call(call),
                            body.stage, origin_of_call(call),
                            body.on)  # fmt: skip
    return {"record": _record(call, row), "stage": row.status}


@bp.post("/record_progress")
def record_progress() -> Response:
    """Move an intervention on."""
    return _run("record_progress", _progress)
