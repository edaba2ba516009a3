"""Who is asking, for pages outside LTI launches (admin, dashboard): a signed session.

The accounts package signs people in and writes ``session["account"]``; other packages only
read it through :func:`require_role`, so none of them imports accounts.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Flask, abort, redirect, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_babel import lazy_gettext as _l
from itsdangerous import URLSafeTimedSerializer

ROLES = ("admin", "coordinator")


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie session, its signer built once per key instead of per request.

    Flask builds a new serializer on every request, cookie or not: a few percent of an
    LTI launch, which never reads the session.
    """

    def __init__(self) -> None:
        self._signers: dict[tuple[Any, ...], URLSafeTimedSerializer] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        """The serializer for the app's current keys (a rotated key gets a new one)."""
        key = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        signer = self._signers.get(key)
        if signer is None:
            signer = super().get_signing_serializer(app)
            if signer is None:
                return None
            self._signers = {key: signer}  # only the current keys are kept
        return signer


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
