"""The instructor's click: a fresh token for the dashboard, posted from a page of its own.

The dashboard is never framed (it is a page of another service, with accounts), so the
launch page opens it in a new tab; the token is minted at that moment rather than with
the launch page, which may have sat in the course for an hour.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, make_response, render_template
from flask.typing import ResponseReturnValue
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from opes_lti.core.db import session
from opes_lti.dashboard import handoff
from opes_lti.lti import keys, pages
from opes_lti.lti.context import context_of
from opes_lti.lti.launch import Launch
from opes_lti.lti.runtime import base_url

bp = Blueprint(
    "outcomes",
    __name__,
    url_prefix="/outcomes",
    template_folder="templates",
    static_folder="static",
)

NOT_INSTRUCTOR = _l("Only the course's instructors can open its outcomes.")
NO_COURSE = _l("Place this activity inside a course: its outcomes are those of the course.")


def course_title(launch: Launch) -> str:
    """The course's name as the platform sent it."""
    return str(launch.context.get("title") or launch.context.get("label") or "")


def _reporting_url() -> str:
    # The reporting service's public address; in the embedded default, this instance.
    return str(current_app.config["OPES_SETTINGS"].reporting_url or base_url())


@bp.post("/open")
def open_dashboard() -> ResponseReturnValue:
    """The page that carries the instructor into the course's dashboard."""
    db = session()
    launch, _token = pages.recall()
    with force_locale(launch.locale):
        if not launch.is_instructor:
            abort(403, description=NOT_INSTRUCTOR)
        course = context_of(launch).course_key()
        if course is None:
            abort(400, description=NO_COURSE)
        key = keys.signing_key(db)
        reporting = _reporting_url()
        token = handoff.mint(
            issuer=base_url(),
            audience=reporting,
            course=course,
            title=course_title(launch),
            locale=launch.locale,
            kid=key.kid,
            private_pem=key.private_pem,
        )
        page = render_template("outcomes/open.html", action=reporting + handoff.PATH, token=token)
    response = make_response(page)
    response.headers["Cache-Control"] = "no-store"  # the token is good for one use only
    return response
