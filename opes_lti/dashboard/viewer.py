"""Who is looking at the dashboard, and so what they may see.

Checked on every request against the database, not only at sign-in: an account disabled
or re-scoped a minute ago sees the change on its next page.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from flask import abort, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session
from werkzeug.exceptions import Unauthorized

from opes_lti.accounts import services
from opes_lti.accounts.models import Account
from opes_lti.core import errors
from opes_lti.core.auth import current_account
from opes_lti.dashboard import reach
from opes_lti.dashboard.reach import Reach
from opes_lti.regions import REGIONS

#: Where an instructor's launch leaves the course they may see (see the outcomes activity).
COURSE_KEY = "dashboard_course"


@dataclass(frozen=True)
class Viewer:
    """A signed-in coordinator or administrator, or an instructor from a course launch."""

    name: str
    reach: Reach
    #: The scopes as written (``region:12``), for the page to say what it covers.
    scopes: tuple[str, ...]
    #: From a course launch, without an account (no sign-out, one course only).
    instructor: bool = False
    #: That course's title as the platform sent it, else its key.
    course_title: str = ""
    #: An administrator: also sees the operators' pages (the sources).
    admin: bool = False


class SignInNeeded(Exception):
    """Not signed in: the page sends the person to sign in, then back here."""

    def __init__(self, instructor: bool = False) -> None:
        super().__init__()
        #: An instructor's course session ended: they come back through the course.
        self.instructor = instructor

    def response(self) -> ResponseReturnValue:
        """The redirect to the sign-in page, coming back with the same filters."""
        if self.instructor:
            return errors.page(Unauthorized(description=ENDED))
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))


#: An instructor's session is over: there is no account to sign in with.
ENDED = _l(
    "Your view of this course's outcomes has ended: open the Course outcomes activity "
    "again from your course."
)


def enter_course(key: str, title: str, hours: float) -> None:
    """Make this browser's session an instructor's view of course ``key`` for ``hours``."""
    session.clear()  # whoever was signed in here, the launch decides who is looking now
    session[COURSE_KEY] = {"key": key, "title": title, "until": time.time() + hours * 3600}


def current(db: Session) -> Viewer:
    """The viewer of this request; SignInNeeded or 403 otherwise."""
    course = session.get(COURSE_KEY)
    if isinstance(course, dict):
        if float(course.get("until", 0)) <= time.time():
            session.clear()
            raise SignInNeeded(instructor=True)
        key = str(course["key"])
        title = str(course.get("title") or "") or key  # a platform may send no title
        return Viewer(
            gettext("Instructor"),
            reach.of_course(key),
            (f"course:{key}",),
            instructor=True,
            course_title=title,
        )
    signed = current_account()
    if signed is None:
        raise SignInNeeded
    account = db.get(Account, signed.get("id"))
    if account is None or account.disabled_at is not None:
        session.clear()
        raise SignInNeeded
    if account.role == "admin":
        return Viewer(account.username, reach.national(), ("national",), admin=True)
    if account.role != "coordinator":
        abort(403)
    written = tuple(services.scopes(db, account))
    return Viewer(account.username, reach.of_account(db, account.id), written)


def describe(scope: str) -> str:
    """A scope as a coordinator reads it: ``region:12`` is "Lazio"."""
    kind, _, value = scope.partition(":")
    if kind == "national":
        return gettext("the whole programme")
    if kind == "region":
        return REGIONS.get(value, value)
    if kind == "community":
        return gettext("community %(name)s", name=value)
    if kind == "organisation":
        return gettext("organisation %(name)s", name=value)
    return gettext("course %(name)s", name=value)
