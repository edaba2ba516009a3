"""An activity's pages after the launch: the page token in, the launch back, or "expired".

Every form and script request of an activity carries the token the launch issued (no
cookie reaches a third-party frame). A missing, altered or expired token, or one whose
platform was removed, always ends the same way: 403 and one sentence saying to open the
activity again from the course.
"""

from __future__ import annotations

from typing import Any, NoReturn

from flask import abort, jsonify, make_response, request
from flask_babel import lazy_gettext as _l

from opes_lti.core.db import session
from opes_lti.lti.launch import Launch
from opes_lti.lti.runtime import page_sessions

EXPIRED = _l("This page has expired: open the activity again from the course.")


def issue(launch: Launch) -> str:
    """The token the launch's pages carry in their forms."""
    return page_sessions().remember(launch)


def expired() -> NoReturn:
    """End the request with the "this page has expired" answer."""
    abort(403, description=EXPIRED)


def recall(token: str | None = None) -> tuple[Launch, str]:
    """The launch a page's token stands for (the form's ``token`` by default), and the token."""
    token = request.form.get("token", "") if token is None else token
    launch = page_sessions().recall(session(), token)
    if launch is None:
        expired()
    return launch, token


def recall_json(body: dict[str, Any]) -> Launch:
    """The launch of a script's JSON request; a JSON 403 when its token is no good."""
    launch = page_sessions().recall(session(), str(body.get("token") or ""))
    if launch is None:
        abort(make_response(jsonify(error="expired", message=str(EXPIRED)), 403))
    return launch
