"""The launch benchmark's baseline: a bare pylti1p3 Flask tool, the library's own checks only.

OIDC login and launch as pylti1p3's Flask example does them: state in a cookie, nonce in
Flask's signed-cookie session (a per-process cache would lose it between the two workers),
the platform's key set in an in-memory cache. No database, no launch record, no page
beyond "ok". Configured from BENCH_PLATFORM (JSON).
"""

from __future__ import annotations

import json
import os

from flask import Flask
from flask_caching import Cache
from pylti1p3.contrib.flask import (
    FlaskCacheDataStorage,
    FlaskMessageLaunch,
    FlaskOIDCLogin,
    FlaskRequest,
)
from pylti1p3.tool_config import ToolConfDict

platform = json.loads(os.environ["BENCH_PLATFORM"])
app = Flask("baseline")
app.config.update(
    SECRET_KEY="baseline",  # noqa: S106 - a throwaway bench app
    CACHE_TYPE="SimpleCache",
    SESSION_COOKIE_SAMESITE="Lax",
)
cache = Cache(app)
tool_conf = ToolConfDict(
    {
        platform["issuer"]: [
            {
                "default": True,
                "client_id": platform["client_id"],
                "auth_login_url": platform["auth_login_url"],
                "auth_token_url": platform["auth_token_url"],
                "key_set_url": platform["key_set_url"],
                "key_set": None,
                "deployment_ids": platform["deployment_ids"],
            }
        ]
    }
)


def _storage() -> FlaskCacheDataStorage:
    return FlaskCacheDataStorage(cache)


@app.route("/lti/login", methods=["GET", "POST"])
def login():  # type: ignore[no-untyped-def]
    """pylti1p3's OIDC login."""
    request = FlaskRequest()
    oidc = FlaskOIDCLogin(request, tool_conf)
    return oidc.redirect(request.get_param("target_link_uri"))


@app.post("/lti/launch")
def launch() -> str:
    """pylti1p3's launch validation."""
    message = FlaskMessageLaunch(FlaskRequest(), tool_conf)
    message.set_public_key_caching(_storage(), cache_lifetime=7200)
    data = message.get_launch_data()
    return "ok " + data["sub"]
