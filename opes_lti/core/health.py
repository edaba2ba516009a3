"""``/healthz``: each dependency the service needs, for load balancers and operators.

``{"status": "ok"|"error", "version", "checks": {"database": "ok", "redis": ...}}``; 503
when one the service needs is down. Redis is needed by the tool (launch state) when
``OPES_REDIS_URL`` is set; unset, launch state lives in the database and Redis is
reported as not configured.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Flask, Response, current_app, jsonify

from opes_lti import __version__
from opes_lti.core.db import session

bp = Blueprint("health", __name__)

#: Seconds a check may take: a health check that hangs is a failed one.
TIMEOUT = 2.0


def _database() -> str:
    try:
        session().execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        session().rollback()
        return "unreachable"
    return "ok"


def _redis_client(app: Flask, url: str) -> Any:
    if "opes_health_redis" not in app.extensions:
        import redis

        app.extensions["opes_health_redis"] = redis.Redis.from_url(
            url, socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT
        )
    return app.extensions["opes_health_redis"]


def _redis(app: Flask) -> str | None:
    settings = app.config["OPES_SETTINGS"]
    if app.config.get("OPES_SERVICE") == "reporting":
        return None  # the reporting service does not use Redis
    if not settings.redis_url:
        return "not configured"
    import redis

    try:
        _redis_client(app, settings.redis_url).ping()
    except (redis.RedisError, OSError):
        return "unreachable"
    return "ok"


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    """200 while every needed dependency answers, 503 otherwise, each one named."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    checks = {"database": _database()}
    if (redis_state := _redis(app)) is not None:
        checks["redis"] = redis_state
    healthy = all(state in ("ok", "not configured") for state in checks.values())
    body = {"status": "ok" if healthy else "error", "version": __version__, "checks": checks}
    return jsonify(body), 200 if healthy else 503
