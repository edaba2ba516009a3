"""The administrators' page: registered platforms, published keys, values to paste."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, url_for

from opes_lti.core.auth import require_role
from opes_lti.core.db import session
from opes_lti.lti import keys, registrations

bp = Blueprint("lti_admin", __name__, url_prefix="/admin", template_folder="templates")


@bp.get("/platforms")
@require_role("admin")
def platforms() -> str:
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
    )
    db.commit()  # the first key may have been created for the JWKS
    return page
