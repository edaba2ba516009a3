"""The app-wide pieces every activity's pages use: the launch store, page tokens, URLs.

Each is built once per app and kept in ``app.extensions``, so every blueprint (the
launch endpoints and each activity's pages) shares one of each.
"""

from __future__ import annotations

from typing import Any, cast

from flask import Flask, current_app, url_for

from opes_lti.core.db import database
from opes_lti.lti.sessions import PageSessions
from opes_lti.lti.store import LaunchStore, make_store


def _app() -> Flask:
    proxy: Any = current_app
    return cast(Flask, proxy._get_current_object())  # the real app, for its extensions


def store() -> LaunchStore:
    """The app's launch store: states, nonces, picker sessions (Redis or the database)."""
    app = _app()
    if "opes_lti_store" not in app.extensions:
        settings = app.config["OPES_SETTINGS"]
        app.extensions["opes_lti_store"] = make_store(settings.redis_url, database(app).sessions)
    return cast(LaunchStore, app.extensions["opes_lti_store"])


def page_sessions() -> PageSessions:
    """The app's page-token signer."""
    app = _app()
    if "opes_lti_pages" not in app.extensions:
        app.extensions["opes_lti_pages"] = PageSessions(app.config["SECRET_KEY"])
    return cast(PageSessions, app.extensions["opes_lti_pages"])


def base_url() -> str:
    """The tool's public base URL (no trailing slash)."""
    return str(current_app.config["OPES_SETTINGS"].base_url)


def launch_url() -> str:
    """The public launch URL (what platforms must send as target_link_uri)."""
    return base_url() + url_for("lti.launch")


def source_name() -> str:
    """The source name this instance's outcome events carry."""
    return str(current_app.config["OPES_SETTINGS"].source_name)
