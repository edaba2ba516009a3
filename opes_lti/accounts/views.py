"""Sign in and out (first-party pages: the session cookie is the tool's own)."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_babel import format_timedelta

from opes_lti.accounts import services, throttle
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
    """The sign-in form; failed attempts slow the next ones down (see throttle)."""
    if request.method == "GET":
        return _form()
    check_csrf()
    db = db_session()
    username = request.form.get("username", "")
    counted = throttle.keys(username, request.remote_addr)
    wait = throttle.wait_seconds(db, counted)
    if wait:  # not even checked: a guess during a lock tells nothing
        return _throttled(wait)
    account = services.authenticate(db, username, request.form.get("password", ""))
    if account is None:
        lock = current_app.config["OPES_SETTINGS"].signin_lock_seconds
        throttle.record_failure(db, counted, lock)
        db.commit()
        current_app.logger.info("failed sign-in from %s", request.remote_addr)
        return _form(error=True), 401
    throttle.forget(db, counted)
    db.commit()
    session.clear()  # a new session at sign-in: no fixation
    session["account"] = {"id": account.id, "username": account.username, "role": account.role}
    return redirect(_safe_next(request.args.get("next")))


def _form(error: bool = False, wait: str = "") -> str:
    return render_template("accounts/login.html", error=error, wait=wait)


def _throttled(seconds: float) -> tuple[str, int, dict[str, str]]:
    whole = max(1, math.ceil(seconds))
    wait = format_timedelta(timedelta(seconds=whole), threshold=1.0, add_direction=False)
    return _form(wait=wait), 429, {"Retry-After": str(whole)}


@bp.post("/logout")
def logout() -> Any:
    """Sign out."""
    check_csrf()
    session.clear()
    return redirect(url_for("accounts.login"))
