"""Who is asking, for pages outside LTI launches (admin, dashboard): a signed session.

The accounts package signs people in and writes ``session["account"]``; other packages only
read it through :func:`require_role`, so none of them imports accounts.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l

ROLES = ("admin", "coordinator")


def current_account() -> dict[str, Any] | None:
    """``{"id", "username", "role"}`` of the signed-in person, or None."""
    return session.get("account")


def require_role(*roles: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Views for signed-in people with one of ``roles``: others go to the sign-in page."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            account = current_account()
            if account is None:
                return redirect(url_for("accounts.login", next=request.path))
            if account.get("role") not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorate


def csrf_token() -> str:
    """The session's CSRF token, created on first use (forms put it in a hidden field)."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def check_csrf() -> None:
    """Refuse a form whose token is not the session's."""
    sent = request.form.get("csrf", "")
    if not sent or not secrets.compare_digest(sent, session.get("csrf", "")):
        abort(400, description=_l("The form has expired: reload the page and try again."))
