"""The communities in the tool's API for blocks (``/api/v1/blocks/communities``).

Every call is a POST from the LMS server with the site token and the acting headers
(``sites.api.block_call``). A community is the same on every site and course, so no call
names a placement. Refusals are JSON errors with the words of the LTI pages.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify
from flask_babel import gettext as _
from pydantic import BaseModel, ConfigDict

from opes_lti.cdp.wording import field_problems, message, record_message
from opes_lti.communities import services as communities
from opes_lti.communities.access import Asker, RecordError
from opes_lti.communities.models import Community
from opes_lti.communities.origin import Origin
from opes_lti.communities.spec import Slug, SpecError
from opes_lti.core.db import session
from opes_lti.core.jsonapi import answers_json, fail
from opes_lti.events.domain import Context, fitted
from opes_lti.learners.profile import ProfileError, clean
from opes_lti.sites import openapi
from opes_lti.sites.api import block_body, block_call
from opes_lti.sites.services import BlockCall

bp = Blueprint("cdp_blocks", __name__, url_prefix="/api/v1/blocks/communities")
answers_json(bp, "opes-tool")


class ListBody(BaseModel):
    """Every community, with how many belong to it and whether the viewer does."""

    model_config = ConfigDict(extra="forbid")


class CommunityBody(BaseModel):
    """One community, by its short name."""

    model_config = ConfigDict(extra="forbid")

    community: Slug


class JoinBody(CommunityBody):
    """Join, saying what the other members may see; the profile the block knows."""

    show_organisation: bool = False
    show_region: bool = False
    profile: dict[str, str | None] = {}


BODIES: dict[str, type[BaseModel]] = {
    "list": ListBody,
    "open": CommunityBody,
    "join": JoinBody,
    "leave": CommunityBody,
}
SUMMARIES = {
    "list": "Every community, with its members counted and whether the viewer is one",
    "open": "One community: what it is, its space, its members as each agreed to be shown",
    "join": "Join a community (community.joined, once per membership)",
    "leave": "Leave a community (the membership is kept, closed)",
}
openapi.describe(
    str(bp.url_prefix),
    BODIES,
    SUMMARIES,
    {"404": "No such community", "409": "The community is closed, or the viewer not a member"},
)


def _listing(call: BlockCall) -> list[dict[str, Any]]:
    db = session()
    return [
        {
            "slug": c.slug,
            "name": c.name,
            "theme": c.theme,
            "members": communities.member_count(db, c),
            "member": communities.membership(db, c, call.actor) is not None,
        }
        for c in communities.listing(db)
    ]


def _community(call: BlockCall, community: Community) -> dict[str, Any]:
    db = session()
    return {
        "slug": community.slug,
        "name": community.name,
        "theme": community.theme,
        "description_html": community.description,  # sanitised when saved
        "space_url": community.space_url,
        "members": communities.shown_members(db, community, call.actor),
        "member": communities.membership(db, community, call.actor) is not None,
    }


def asker_of_call(call: BlockCall) -> Asker:
    """Who a call asks for: its actor (a block's staff are never national coordinators)."""
    return Asker(call.actor)


def origin_of_call(call: BlockCall) -> Origin:
    """Where a change made by a call comes from, for its events: the site and course."""
    where = Context(platform="openedx", platform_id=fitted(call.site.name, 200),
                    course=call.course or None)  # fmt: skip
    return Origin(call.site.name, where)


def run(bodies: dict[str, type[BaseModel]], name: str, act: Any) -> Response:
    """Answer call ``name``: its body checked, ``act`` run, refusals as JSON.

    Nothing of a refused call is kept. The library's, the meetings' and the records'
    calls run here too.
    """
    call = block_call()
    body = block_body(bodies[name])
    db = session()
    try:
        answer = act(call, body)
        db.commit()
        return jsonify(answer)
    except communities.CommunityError as exc:
        db.rollback()
        fail(exc.status, exc.what, message(exc))
    except RecordError as exc:
        db.rollback()
        fail(exc.status, exc.what, record_message(exc))
    except SpecError as exc:
        db.rollback()
        fail(422, "bad_sheet", "; ".join(why for _, why in field_problems(exc)))
    except ProfileError as exc:
        db.rollback()
        fail(400, "bad_profile", _("The profile cannot be used (%(field)s): %(detail)s",
                                   field=exc.field, detail=str(exc)))  # fmt: skip


def _run(name: str, act: Any) -> Response:
    return run(BODIES, name, act)


@bp.post("/list")
def list_() -> Response:
    """The communities."""
    return _run("list", lambda call, _body: {"communities": _listing(call)})


@bp.post("/open")
def open_() -> Response:
    """One community."""
    return _run(
        "open",
        lambda call, body: {
            "community": _community(call, communities.find(session(), body.community))
        },
    )


def _join(call: BlockCall, body: JoinBody) -> dict[str, Any]:
    db = session()
    community = communities.find(db, body.community)
    showing = communities.Showing(body.show_organisation, body.show_region)
    origin = origin_of_call(call)
    communities.join(db, community, call.actor, clean(body.profile), origin.context,
                     origin.source, showing)  # fmt: skip
    return {"community": _community(call, community), "joined": True}


@bp.post("/join")
def join() -> Response:
    """The viewer joins."""
    return _run("join", _join)


def _leave(call: BlockCall, body: CommunityBody) -> dict[str, Any]:
    community = communities.find(session(), body.community)
    communities.leave(session(), community, call.actor)
    return {"community": _community(call, community), "left": True}


@bp.post("/leave")
def leave() -> Response:
    """The viewer leaves."""
    return _run("leave", _leave)
