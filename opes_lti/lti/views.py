"""LTI endpoints: login, launch, JWKS, tool configuration. Thin: the checks are in launch.py."""

from __future__ import annotations

import secrets
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
from flask_babel import force_locale, get_locale
from werkzeug.wrappers import Response as WerkzeugResponse

from opes_lti.core.db import session
from opes_lti.core.limits import body_limit
from opes_lti.lti import deep_linking, dynamic, keys
from opes_lti.lti.activities import Option, offered, registered
from opes_lti.lti.errors import REASONS, LaunchError
from opes_lti.lti.framing import allow_framing_by, embeddable
from opes_lti.lti.launch import Launch, accept, begin_login, validate_launch
from opes_lti.lti.registrations import RegistrationError
from opes_lti.lti.runtime import launch_url, store

bp = Blueprint("lti", __name__, url_prefix="/lti", template_folder="templates")

STATE_COOKIE = "opes-lti-state-"
#: Seconds the platform's frame has to answer with the stored state.
STORAGE_CHECK_TTL = 120


def _secure() -> bool:
    return current_app.config["OPES_SETTINGS"].base_url.startswith("https://")


@bp.app_errorhandler(LaunchError)
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


#: A platform's login request and launch: a few KiB each, a few tens at the very most.
LOGIN_BYTES = 16 * 1024
LAUNCH_BYTES = 64 * 1024


@bp.route("/login", methods=["GET", "POST"])
@body_limit(LOGIN_BYTES)
def login() -> WerkzeugResponse:
    """OIDC third-party-initiated login."""
    params = request.values.to_dict()
    target = begin_login(session(), store(), params, launch_url())
    storage_target = params.get("lti_storage_target")
    if storage_target:
        # Keep the state in the platform's frame too (LTI Platform Storage), then go on.
        response: WerkzeugResponse = make_response(
            render_template(
                "lti/storage_login.html",
                redirect_url=target.url,
                storage={
                    "target": storage_target,
                    "origin": target.platform_origin,
                    "key": f"state_{target.state}",
                    "value": target.state,
                    "redirect": target.url,
                },
            )
        )
    else:
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
@body_limit(LAUNCH_BYTES)
def launch() -> Any:
    """The platform posts the id_token here."""
    state = request.form.get("state", "")
    if state and request.cookies.get(STATE_COOKIE + state) == state:
        return _complete(state)
    remembered = store().get(f"state:{state}") if state else None
    if not remembered or not remembered.get("storage"):
        raise LaunchError("state_mismatch")
    # No cookie (blocked in the frame): ask the platform's frame for the state kept at
    # login. The one-time check token binds the answer to this very page, so a form
    # posted from elsewhere cannot skip the question.
    check = secrets.token_urlsafe(32)
    store().put(f"storage-check:{check}", {"state": state}, STORAGE_CHECK_TTL)
    return render_template(
        "lti/storage_launch.html",
        id_token=request.form.get("id_token", ""),
        state=state,
        check=check,
        storage={
            "target": remembered["storage"],
            "origin": remembered["origin"],
            "key": f"state_{state}",
        },
    )


@bp.post("/launch/verified")
@body_limit(LAUNCH_BYTES)
def launch_verified() -> Any:
    """The launch again, with the state the platform's frame gave back."""
    state = request.form.get("state", "")
    check = store().take(f"storage-check:{request.form.get('check', '')}")
    if not state or check is None or check["state"] != state:
        raise LaunchError("state_mismatch", "platform storage check missing or spent")
    if not secrets.compare_digest(request.form.get("storage_state", ""), state):
        raise LaunchError("state_mismatch", "the platform's frame holds another state")
    return _complete(state)


def _complete(state: str) -> Any:
    """Validate the id_token, show what the launch asks for, and only then record it.

    A launch the tool cannot serve (no activity, an unknown one, an activity set up
    wrongly, a learner asking for the picker) is refused and leaves no record.
    """
    settings = current_app.config["OPES_SETTINGS"]
    db = session()
    result = validate_launch(
        db,
        store(),
        request.form.get("id_token", ""),
        state,
        settings.base_url,
        settings.default_locale,
    )
    g.lti_launch = result
    with force_locale(result.locale):
        response = make_response(_show(result))
    if response.status_code >= 400:
        db.rollback()
        return response
    accept(db, result)
    db.commit()
    response.delete_cookie(STATE_COOKIE + state, path="/lti")
    return response


def _show(result: Launch) -> Any:
    """The picker for a Deep Linking request, else the activity the link names."""
    if result.message_type == "LtiDeepLinkingRequest":
        if not result.is_instructor:
            raise LaunchError("not_designer")
        return _picker(deep_linking.open_picker(store(), result))
    # No tool-wide default: Moodle merges tool-level custom parameters over each link's,
    # so a default registered with the tool would override every placed activity.
    key = result.custom.get("activity")
    if not key:
        raise LaunchError("no_activity")
    activity = registered(current_app).get(str(key))
    if activity is None:
        raise LaunchError("unknown_activity", repr(key))
    return activity.render(result)


def _language() -> str:
    return str(get_locale() or "it")


def _picker(token: str, error: bool = False) -> str:
    db, lang = session(), _language()
    return render_template(
        "lti/picker.html",
        token=token,
        activities=[(a, a.options(db, lang)) for a in offered(current_app).values()],
        multiple=deep_linking.accepts_multiple(store(), token),
        error=error,
    )


def _choices(form: Any) -> list[deep_linking.Choice]:
    activities = offered(current_app)
    choices = []
    for key in form.getlist("activity"):
        activity = activities.get(key)
        if activity is None:
            raise LaunchError("bad_choice", f"unknown activity {key!r}")
        graded = activity.graded and form.get(f"graded-{key}") == "on"
        try:
            maximum = float(form.get(f"max-{key}") or 100)
        except ValueError:
            raise LaunchError("bad_choice", "maximum score is not a number") from None
        if graded and not 0 < maximum <= 10_000:
            raise LaunchError("bad_choice", "maximum score out of range")
        title = (form.get(f"title-{key}") or "").strip()[:200] or str(activity.title)
        chosen: dict[str, str] = {}
        for option in activity.options(session(), _language()):
            chosen[option.name] = _option_value(form, key, option, chosen)
        chosen.update(activity.placed())
        choices.append(deep_linking.Choice(key, title, graded, maximum, tuple(chosen.items())))
    return choices


def _option_value(form: Any, key: str, option: Option, chosen: dict[str, str]) -> str:
    """The designer's value for ``option``, checked against what it offers.

    An option scoped by an earlier one (the areas of the chosen framework) accepts only
    the choices of that scope, whatever the form sent.
    """
    allowed = option.allowed(chosen)
    given = [v for v in form.getlist(f"opt-{key}-{option.name}") if v]
    if any(value not in allowed for value in given):
        raise LaunchError("bad_choice", f"{option.name}: not one of the choices")
    if option.multiple:
        return ",".join(v for v in allowed if v in given)  # none ticked: all
    if not allowed:
        raise LaunchError("bad_choice", f"{option.name}: nothing to choose from")
    return given[0] if given else allowed[0]


@bp.post("/deep-link")
def deep_link() -> Any:
    """The picker's form: sign the chosen items and send them back to the platform."""
    token = request.form.get("token", "")
    state = store().get(f"dl:{token}") if token else None
    if state is None:
        raise LaunchError("expired_state", "the picker was already used or has expired")
    with force_locale(state["locale"]):
        try:
            choices = _choices(request.form)
        except LaunchError:
            return _picker(token, error=True), 400
        if not choices:
            return _picker(token, error=True), 400
        return_url, message = deep_linking.respond(session(), store(), token, choices, launch_url())
        session().commit()
        return render_template("lti/deep_link_return.html", return_url=return_url, message=message)


embeddable(bp)


@bp.get("/register")
def register() -> tuple[str, int]:
    """Dynamic registration, opened by the platform with its openid_configuration."""
    settings = current_app.config["OPES_SETTINGS"]
    openid_configuration = request.args.get("openid_configuration", "")
    # The platform opens this page in its own frame: it must see the answer, even a refusal.
    if origin := dynamic.origin_of(openid_configuration):
        allow_framing_by(origin)
    invitation, taken = None, False
    try:
        invitation = dynamic.check_invite(settings.secret_key, request.args.get("invite", ""))
        if not openid_configuration:
            raise RegistrationError("the platform did not send openid_configuration")
        dynamic.spend(store(), invitation)
        taken = True
        urls = dynamic.ToolUrls(
            settings.base_url,
            settings.base_url + url_for("lti.login"),
            launch_url(),
            settings.base_url + url_for("lti.jwks"),
        )
        db = session()
        platform = dynamic.register(
            db, urls, invitation.name, openid_configuration, request.args.get("registration_token")
        )
        db.commit()
    except RegistrationError as exc:
        session().rollback()
        if invitation is not None and taken:
            dynamic.give_back(store(), invitation)
        return render_template("lti/registered.html", error=str(exc)), 400
    return render_template("lti/registered.html", platform=platform), 200


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
            # No tool-wide custom parameters: each placed link carries its own activity.
            "custom_parameters": {},
        }
    )
