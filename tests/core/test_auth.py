"""The cookie session's signer is reused, and follows a key rotation."""

from __future__ import annotations

from flask import Flask, session

from opes_lti.core.auth import CookieSessions


def _app(key: str) -> Flask:
    app = Flask(__name__)
    app.secret_key = key
    app.session_interface = CookieSessions()

    @app.get("/set")
    def set_value() -> str:
        session["who"] = "anna"
        return "set"

    @app.get("/get")
    def get_value() -> str:
        return str(session.get("who"))

    return app


def test_cookie_sessions_reuse_one_signer_per_key() -> None:
    app = _app("first key")
    sessions = app.session_interface
    assert sessions.get_signing_serializer(app) is sessions.get_signing_serializer(app)
    before = sessions.get_signing_serializer(app)
    app.secret_key = "second key"
    assert sessions.get_signing_serializer(app) is not before


def test_cookie_session_signed_with_an_old_key_is_not_read_after_rotation() -> None:
    app = _app("first key")
    client = app.test_client()
    client.get("/set")
    assert client.get("/get").text == "anna"
    app.secret_key = "second key"
    assert client.get("/get").text == "None"
    app.config["SECRET_KEY_FALLBACKS"] = ["first key"]
    assert client.get("/get").text == "anna"  # a fallback key still reads old cookies
