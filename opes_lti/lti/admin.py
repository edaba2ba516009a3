"""The administrators' page: registered platforms, published keys, values to paste."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request, url_for

from opes_lti.core.auth import check_csrf, require_role
from opes_lti.core.db import session
from opes_lti.lti import dynamic, keys, registrations

bp = Blueprint("lti_admin", __name__, url_prefix="/admin", template_folder="templates")


@bp.post("/platforms/invite")
@require_role("admin")
def invite() -> str | tuple[str, int]:
    """A dynamic-registration link for a platform administrator to paste."""
    check_csrf()
    name = request.form.get("name", "").strip()[:100]
    if not name:
        return platforms(invite_error=True), 400
    settings = current_app.config["OPES_SETTINGS"]
    link = settings.base_url + url_for(
        "lti.register", invite=dynamic.invite(settings.secret_key, name)
    )
    return platforms(invite_link=link, invite_name=name)


@bp.get("/platforms")
@require_role("admin")
def platforms(invite_link: str = "", invite_name: str = "", invite_error: bool = False) -> str:
    """Every registration, and how to add one."""
    db = session()
    base = current_app.config["OPES_SETTINGS"].base_url
    published = {k["kid"] for k in keys.jwks(db)["keys"]}
    page = render_template(
        "lti/admin_platforms.html",
        platforms=registrations.list_platforms(db),
        keys=[(k.kid, k.created_at, k.kid in published) for k in keys.all_keys(db)],
        values={
            "login": base + url_for("lti.login"),
            "launch": base + url_for("lti.launch"),
            "jwks": base + url_for("lti.jwks"),
            "config": base + url_for("lti.config"),
        },
        invite_link=invite_link,
        invite_name=invite_name,
        invite_error=invite_error,
        invite_hours=dynamic.INVITE_HOURS,
    )
    db.commit()  # the first key may have been created for the JWKS
    return page
