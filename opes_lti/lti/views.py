"""LTI endpoints: login, launch, JWKS, tool configuration. Thin: the checks are in launch.py."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale

from opes_lti.core.db import database, session
from opes_lti.lti import keys
from opes_lti.lti.activities import registered
from opes_lti.lti.errors import REASONS, LaunchError
from opes_lti.lti.launch import begin_login, validate_launch
from opes_lti.lti.store import LaunchStore, make_store

bp = Blueprint("lti", __name__, url_prefix="/lti", template_folder="templates")

STATE_COOKIE = "opes-lti-state-"


def store() -> LaunchStore:
    """The app's launch store (built once per app)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if "opes_lti_store" not in app.extensions:
        settings = app.config["OPES_SETTINGS"]
        app.extensions["opes_lti_store"] = make_store(settings.redis_url, database(app).sessions)
    return app.extensions["opes_lti_store"]


def launch_url() -> str:
    """The public launch URL (what platforms must send as target_link_uri)."""
    return current_app.config["OPES_SETTINGS"].base_url + url_for("lti.launch")


def _secure() -> bool:
    return current_app.config["OPES_SETTINGS"].base_url.startswith("https://")


@bp.errorhandler(LaunchError)
def _refused(exc: LaunchError) -> tuple[str, int]:
    status, message, hint = REASONS[exc.code]
    current_app.logger.info("LTI launch refused: %s", exc)  # no token, no claim values
    return render_template(
        "lti/error.html",
        message=message,
        hint=hint,
        code=exc.code,
        detail=exc.detail,
        status=status,
    ), status


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response:
    """OIDC third-party-initiated login."""
    params = request.values.to_dict()
    target = begin_login(session(), store(), params, launch_url())
    session().commit()
    response = redirect(target.url, code=302)
    # One cookie per login, so two activities launching on one page do not collide.
    response.set_cookie(
        STATE_COOKIE + target.state,
        target.state,
        max_age=600,
        httponly=True,
        secure=_secure(),
        samesite="None" if _secure() else "Lax",
        path="/lti",
    )
    return response


@bp.post("/launch")
def launch() -> Any:
    """The platform posts the id_token here."""
    state = request.form.get("state", "")
    if request.cookies.get(STATE_COOKIE + state) != state:
        raise LaunchError("state_mismatch")
    settings = current_app.config["OPES_SETTINGS"]
    db = session()
    result = validate_launch(
        db, store(), request.form.get("id_token", ""), state, settings.default_locale
    )
    db.commit()
    g.lti_launch = result
    key = str(result.custom.get("activity") or "placeholder")
    activity = registered(current_app).get(key)
    with force_locale(result.locale):
        if activity is None:
            raise LaunchError("bad_message", f"unknown activity {key!r}")
        response = make_response(activity.render(result))
    response.delete_cookie(STATE_COOKIE + state, path="/lti")
    return response


@bp.get("/jwks")
def jwks() -> Response:
    """The tool's public keys (the active and the previous one)."""
    db = session()
    body = keys.jwks(db)
    db.commit()
    response = jsonify(body)
    response.cache_control.max_age = 300
    response.cache_control.public = True
    return response


@bp.get("/config.json")
def config() -> Response:
    """Values to paste into a platform when registering the tool by hand."""
    base = current_app.config["OPES_SETTINGS"].base_url
    return jsonify(
        {
            "title": "OPES",
            "description": "OPES learning activities: self-assessment, group work, communities",
            "oidc_initiation_url": base + url_for("lti.login"),
            "target_link_uri": launch_url(),
            "redirect_uris": [launch_url()],
            "public_jwk_url": base + url_for("lti.jwks"),
            "scopes": [
                "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
                "https://purl.imsglobal.org/spec/lti-ags/scope/score",
                "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
                "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
            ],
            "messages": ["LtiResourceLinkRequest", "LtiDeepLinkingRequest"],
            "custom_parameters": {"activity": "placeholder"},
        }
    )
