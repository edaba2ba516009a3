"""Error pages for people: in their language, saying what to do, never a stack trace.

The JSON API answers its own errors (reporting/api.py); LTI refusals have their own page
(lti/views.py). Everything else that goes wrong lands here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, render_template, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException, InternalServerError

#: What a person can do about each status.
ADVICE = {
    400: _l("The request could not be understood. Reload the page and try again."),
    403: _l(
        "You are not allowed to see this page. Sign in with another account, or open "
        "the activity again from your course."
    ),
    401: _l("Sign in, or open the activity again from your course."),
    404: _l("This page does not exist. Check the address."),
    405: _l("This page cannot be used this way. Go back and try again."),
    413: _l("What you sent is too large."),
    500: _l(
        "Something went wrong on our side. Try again in a moment; if it keeps "
        "happening, tell the programme's coordinators."
    ),
}


def answer_prefix(app: Flask, prefix: str, handler: Callable[[HTTPException], Any]) -> None:
    """Let ``handler`` answer errors under ``prefix`` (the JSON API does)."""
    app.extensions.setdefault("opes_error_prefixes", {})[prefix] = handler


def page(exc: HTTPException) -> Any:
    """The error page for ``exc``, with what a person can do about it."""
    status = exc.code or 500
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    for prefix, handler in app.extensions.get("opes_error_prefixes", {}).items():
        if request.path.startswith(prefix):
            return handler(exc)
    # Our own descriptions are lazy translations, or come with an error code of ours;
    # werkzeug's stock English ones are not shown, the advice above is.
    ours = not isinstance(exc.description, str) or getattr(exc, "error_code", None)
    detail = exc.description if ours else None
    return render_template(
        "error.html", status=status, detail=detail, advice=ADVICE.get(status, ADVICE[500])
    ), status


def _unexpected(exc: Exception) -> Any:
    # Flask calls this outside its except block: pass the exception for the traceback.
    current_app.logger.error("unexpected error on %s", request.path, exc_info=exc)
    return page(InternalServerError())


def init_app(app: Flask) -> None:
    """Answer HTTP errors and unexpected exceptions with the error page."""
    app.register_error_handler(HTTPException, page)
    app.register_error_handler(Exception, _unexpected)
