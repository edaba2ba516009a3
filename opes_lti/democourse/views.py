"""``/demo/``: the demo course page, and the platform's endpoints the tool calls.

Thin: the platform is :mod:`opes_lti.democourse.platform`, the records
:mod:`opes_lti.democourse.services`.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, abort, current_app, jsonify, redirect, render_template, request
from flask_babel import get_locale

from opes_lti.core.db import session
from opes_lti.democourse import services
from opes_lti.democourse.models import DemoItem
from opes_lti.democourse.platform import AGS_SCOPE, BY_KEY, PEOPLE, DemoPlatform, signing_key
from opes_lti.lti.framing import embeddable

bp = Blueprint("demo", __name__, url_prefix="/demo", template_folder="templates")
# Its pages open the tool in a frame and are the target of the tool's Deep Linking form.
embeddable(bp)


@bp.before_request
def _course_exists() -> None:
    # Whatever is asked first (a bookmarked launch, the tool's token request), the
    # platform is registered and the course has its items.
    _platform()


def _platform() -> DemoPlatform:
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    if "opes_demo_platform" not in app.extensions:
        settings = app.config["OPES_SETTINGS"]
        platform = DemoPlatform(settings.base_url, signing_key(settings.instance_path))
        db = session()
        services.ensure(db, platform.tool_registration())
        db.commit()
        app.extensions["opes_demo_platform"] = platform
    return app.extensions["opes_demo_platform"]


def _person(key: str | None) -> Any:
    person = BY_KEY.get(key or "")
    if person is None:
        abort(400, description="choose one of the demo people")
    return person


@bp.get("/")
def course() -> str:
    """The course: its activities, who to be, the picker, the grades that came back."""
    db = session()
    return render_template(
        "democourse/course.html",
        items=services.items(db),
        people=PEOPLE,
        designers=[p for p in PEOPLE if p.designs],
        grades=services.gradebook(db),
        names={p.key: p.name for p in PEOPLE},
    )


@bp.get("/launch")
def launch() -> Any:
    """Open an item as a demo person: the platform starts the tool's OIDC login."""
    person = _person(request.args.get("person"))
    item = session().get(DemoItem, request.args.get("item", type=int) or 0)
    if item is None:
        abort(404, description="no such activity in the demo course")
    return redirect(_platform().login_url(person, f"item-{item.id}"))


@bp.get("/place")
def place() -> Any:
    """Open the tool's Deep Linking picker as a designer would from the activity chooser."""
    person = _person(request.args.get("person"))
    if not person.designs:
        abort(403, description="only instructors and designers add activities")
    return redirect(_platform().login_url(person, "deep-link"))


@bp.get("/auth")
def auth() -> str:
    """The platform's OIDC authorization endpoint: sign the launch, post it to the tool."""
    query = request.args.to_dict()
    # As a platform must: the id_token goes to the registered launch URL, nowhere else
    # (lti1p3platform checks the client id, not where the browser is sent).
    if query.get("redirect_uri") != current_app.config["OPES_SETTINGS"].base_url + "/lti/launch":
        abort(400, description="redirect_uri is not the tool's registered launch URL")
    person = _person(query.get("login_hint"))
    hint = query.get("lti_message_hint", "")
    item = None
    if hint != "deep-link":
        item_id = hint.removeprefix("item-")
        item = session().get(DemoItem, int(item_id)) if item_id.isdigit() else None
        if item is None:
            abort(400, description="the launch names no activity of the demo course")
    try:
        form = _platform().launch(query, person, str(get_locale() or "it"), item)
    except Exception:
        abort(400, description="the tool's authentication request is not valid")
    return render_template(
        "democourse/autopost.html",
        action=form["launch_url"],
        fields={"id_token": form["id_token"], "state": form["state"]},
    )


@bp.post("/deep-link-return")
def deep_link_return() -> str:
    """The tool's Deep Linking response: check its signature, place the items."""
    try:
        content = _platform().placed_items(request.form.get("JWT", ""))
    except Exception:
        abort(400, description="the Deep Linking response could not be verified")
    db = session()
    placed = services.place(db, content)
    db.commit()
    return render_template("democourse/placed.html", placed=placed)


@bp.get("/jwks")
def jwks() -> Any:
    """The platform's public keys."""
    return jsonify(_platform().jwks())


@bp.post("/token")
def token() -> Any:
    """Client-credentials tokens for the tool's calls to the gradebook."""
    try:
        return jsonify(_platform().access_token(request.form.to_dict()))
    except Exception:
        return jsonify({"error": "invalid_client"}), 400


def _bearer(scope: str) -> None:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer ") or not _platform().token_allows(header[7:], scope):
        abort(401)


@bp.get("/lineitems/<int:item_id>")
def lineitem(item_id: int) -> Any:
    """One gradebook column (an item of the course)."""
    _bearer(AGS_SCOPE + "lineitem")
    item = session().get(DemoItem, item_id)
    if item is None:
        abort(404)
    return jsonify(
        {
            "id": f"{_platform().issuer}/lineitems/{item.id}",
            "label": item.title,
            "scoreMaximum": item.score_maximum,
            "resourceLinkId": f"demo-item-{item.id}",
        }
    )


@bp.post("/lineitems/<int:item_id>/scores")
def scores(item_id: int) -> Any:
    """A score from the tool, stored for the course page's gradebook."""
    _bearer(AGS_SCOPE + "score")
    body = request.get_json(force=True, silent=True)
    if not isinstance(body, dict):
        abort(400)
    db = session()
    if services.record_score(db, item_id, body) is None:
        abort(404)
    db.commit()
    return "", 204
