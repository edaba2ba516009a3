"""The community pages: the communities, one community, joining and leaving it."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, current_app, render_template, request
from flask_babel import force_locale
from flask_babel import gettext as _

from opes_lti.cdp.asking import asker_of
from opes_lti.cdp.wording import message, record_message
from opes_lti.communities import access, library, meeting, meetings, registry
from opes_lti.communities import services as communities
from opes_lti.communities.access import RecordError
from opes_lti.communities.models import Community
from opes_lti.communities.origin import Origin
from opes_lti.communities.rules import may
from opes_lti.core.db import session, utcnow
from opes_lti.learners import services as learners
from opes_lti.lti import pages
from opes_lti.lti.context import context_of
from opes_lti.lti.framing import embeddable
from opes_lti.lti.launch import Launch
from opes_lti.lti.runtime import source_name
from opes_lti.regions import REGIONS

#: Practices the community page shows before "the whole library".
LATEST = 5

bp = Blueprint("cdp", __name__, url_prefix="/community", template_folder="templates")
embeddable(bp)


def _fixed(launch: Launch) -> str:
    """The community the designer placed here, or "" for all of them."""
    return str(launch.custom.get("community") or "").strip()


def listing_page(launch: Launch, token: str, error: str = "") -> str:
    """Every community, with how many belong to it and whether the viewer does."""
    db = session()
    rows = [
        (c, communities.member_count(db, c), communities.membership(db, c, launch.user))
        for c in communities.listing(db)
    ]
    return render_template("cdp/list.html", rows=rows, token=token, error=error)


def community_page(launch: Launch, token: str, community: Community, notice: str = "",
                   error: str = "") -> str:  # fmt: skip
    """One community: what it is, its space, its members as each agreed to be shown."""
    db = session()
    asker = asker_of(launch)
    role = access.role(db, community, asker)
    latest, published = library.library(db, community, limit=LATEST)
    held = meetings.listed(db, community)
    now = utcnow()
    return render_template(
        "cdp/community.html",
        community=community,
        members=_labelled(communities.shown_members(db, community, launch.user)),
        mine=communities.membership(db, community, launch.user),
        role=role,
        can=lambda right: may(role, right),
        latest=latest,
        published=published,
        waiting=len(library.to_review(db, community, asker)) if may(role, "review") else 0,
        plan=meetings.plan(held, now),
        next_meeting=meetings.next_meeting(held, now),
        partnerships=registry.listed(db, community, "partnership"),
        interventions=registry.listed(db, community, "intervention"),
        to_confirm=registry.waiting(db, community) if may(role, "confirm") else 0,
        local=meeting.local,
        regions=REGIONS,
        token=token,
        fixed=bool(_fixed(launch)),
        notice=notice,
        error=error,
    )


def _labelled(members: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each member with their label, the words looked up once for thousands of members."""
    pattern = _("Member %(n)s")  # no variables: the translated pattern, filled below
    return [m | {"label": pattern % {"n": m["number"]}} for m in members]


def render(launch: Launch) -> Any:
    """The page a launch opens: the designer's community, or all of them."""
    token = pages.issue(launch)
    slug = _fixed(launch)
    if not slug:
        return listing_page(launch, token)
    try:
        return community_page(launch, token, communities.find(session(), slug))
    except communities.CommunityError as exc:
        return listing_page(launch, token, message(exc)), exc.status


def chosen() -> Community:
    """The community the form names (every communities page posts it)."""
    return communities.find(session(), request.form.get("community", "").strip()[:60])


def origin_of(launch: Launch) -> Origin:
    """Where a change made from this launch comes from, for its events."""
    return Origin(source_name(), context_of(launch))


def refusals[View: Callable[..., Any]](view: View) -> View:
    """A refusal is the communities' page again, saying why; nothing of it is kept."""

    @wraps(view)
    def run() -> Any:
        launch, token = pages.recall()
        with force_locale(launch.locale):
            try:
                return view(launch, token)
            except communities.CommunityError as exc:
                session().rollback()
                current_app.logger.info("community refused: %s", exc)
                return listing_page(launch, token, message(exc)), exc.status

    return run  # type: ignore[return-value]


def refusing[View: Callable[..., Any]](
    after: Callable[[Launch, str, RecordError], str],
) -> Callable[[View], View]:
    """:func:`refusals`, and a refused change to a record shown back by ``after``.

    The record (or its community) is shown again saying why; nothing of it is kept.
    """

    def decorate(view: View) -> View:
        @wraps(view)
        def run(launch: Launch, token: str) -> Any:
            try:
                return view(launch, token)
            except RecordError as exc:
                session().rollback()
                current_app.logger.info("record refused: %s", exc.what)
                return after(launch, token, exc), exc.status

        return refusals(run)  # type: ignore[return-value]

    return decorate


def after_refusal[Row](
    find: Callable[[Launch], Row],
    shown: Callable[..., str],
    listed: Callable[[Launch, str, Community, str], str | None] | None = None,
) -> Callable[[Launch, str, RecordError], str]:
    """What a refused change shows: the record ``find`` reads, on its page ``shown``.

    Without a record to show, the community's own page (or ``listed``'s list of its
    records, when it has one to offer), or else every community.
    """

    def after(launch: Launch, token: str, exc: RecordError) -> str:
        error = record_message(exc)
        try:
            row = find(launch)
        except RecordError:
            try:
                community = chosen()
            except communities.CommunityError:
                return listing_page(launch, token, error)
            page = listed(launch, token, community, error) if listed else None
            return page or community_page(launch, token, community, error=error)
        return shown(launch, token, row, error=error)

    return after


@bp.post("/open")
@refusals
def open_(launch: Launch, token: str) -> Any:
    """One community's page."""
    return community_page(launch, token, chosen())


@bp.post("/back")
@refusals
def back(launch: Launch, token: str) -> Any:
    """The communities again."""
    return listing_page(launch, token)


@bp.post("/join")
@refusals
def join(launch: Launch, token: str) -> Any:
    """The viewer joins, saying what the other members may see of them."""
    db = session()
    community = chosen()
    showing = communities.Showing(
        organisation=request.form.get("show_organisation") == "yes",
        region=request.form.get("show_region") == "yes",
    )
    profile = learners.get(db, launch.user) or learners.Profile()
    communities.join(db, community, launch.user, profile, context_of(launch), source_name(),
                     showing)  # fmt: skip
    db.commit()
    return community_page(launch, token, community, notice=_("Welcome to the community."))


@bp.post("/leave")
@refusals
def leave(launch: Launch, token: str) -> Any:
    """The viewer leaves; what they shared stays with the community."""
    db = session()
    community = chosen()
    communities.leave(db, community, launch.user)
    db.commit()
    return community_page(launch, token, community, notice=_("You have left the community."))
