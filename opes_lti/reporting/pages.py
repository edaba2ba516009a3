"""Human pages of the reporting service (the dashboard proper grows here)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, Response, jsonify, render_template

from opes_lti import __version__
from opes_lti.core.db import session

bp = Blueprint("reporting", __name__, template_folder="templates")


@bp.get("/")
def index() -> str:
    """Landing page: what this service is and where its API lives."""
    return render_template("reporting/index.html", version=__version__)


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    """Liveness and database reachability, for load balancers."""
    try:
        session().execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        return jsonify({"status": "error", "database": "unreachable"}), 503
    return jsonify({"status": "ok", "version": __version__}), 200
