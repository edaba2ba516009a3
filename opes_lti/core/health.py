"""``/healthz``: liveness and database reachability, for every service's load balancer."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, Response, jsonify

from opes_lti import __version__
from opes_lti.core.db import session

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    """200 with the version while the database answers, 503 otherwise."""
    try:
        session().execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        return jsonify({"status": "error", "database": "unreachable"}), 503
    return jsonify({"status": "ok", "version": __version__}), 200
