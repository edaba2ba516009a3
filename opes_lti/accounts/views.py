"""Sign in and out (first-party pages: the session cookie is the tool's own)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request, session, url_for

from opes_lti.accounts import services
from opes_lti.core.auth import check_csrf
from opes_lti.core.db import session as db_session

bp = Blueprint("accounts", __name__, template_folder="templates")


def _safe_next(target: str | None) -> str:
    # Only paths on this site: never an open redirect.
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/"


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    """The sign-in form."""
    error = False
    if request.method == "POST":
        check_csrf()
        db = db_session()
        account = services.authenticate(
            db, request.form.get("username", ""), request.form.get("password", "")
        )
        if account is not None:
            db.commit()
            session.clear()  # a new session at sign-in: no fixation
            session["account"] = {
                "id": account.id,
                "username": account.username,
                "role": account.role,
            }
            return redirect(_safe_next(request.args.get("next")))
        error = True
    return render_template("accounts/login.html", error=error), 401 if error else 200


@bp.post("/logout")
def logout() -> Any:
    """Sign out."""
    check_csrf()
    session.clear()
    return redirect(url_for("accounts.login"))
