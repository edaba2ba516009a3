"""Application composition: the one module that sees every blueprint.

The embedded default serves the tool and the reporting service from one process; in
production each runs on its own (``opes-lti serve --service reporting``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from flask import Flask, Response
from flask_babel import get_locale
from werkzeug.middleware.proxy_fix import ProxyFix

from opes_lti.core import auth, errors, formtext, health, i18n, limits, outbound
from opes_lti.core.db import Database
from opes_lti.core.settings import Settings, load_settings

if TYPE_CHECKING:
    from opes_lti.lti.activities import Activity

Service = Literal["embedded", "reporting", "tool"]


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    if "Content-Security-Policy" not in response.headers:
        # Not an activity page (those say which platforms may frame them): never framed,
        # so a sign-in or admin form cannot be overlaid by another site (clickjacking).
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'"
        )
        response.headers["X-Frame-Options"] = "DENY"
    return response


def _activities() -> list[Activity]:
    """The activities the tool serves: adding one is one line here."""
    from opes_lti.cdp.activity import ACTIVITY as COMMUNITIES
    from opes_lti.groupwork.activity import ACTIVITY as GROUP_WORK
    from opes_lti.outcomes.activity import ACTIVITY as OUTCOMES
    from opes_lti.placeholder.activity import ACTIVITY as PLACEHOLDER
    from opes_lti.selfassessment.activity import ACTIVITY as SELF_ASSESSMENT

    return [SELF_ASSESSMENT, GROUP_WORK, COMMUNITIES, OUTCOMES, PLACEHOLDER]


def create_app(
    settings: Settings | None = None,
    service: Service = "embedded",
    database: Database | None = None,
) -> Flask:
    """Build a WSGI app; ``database`` lets tests share one engine between apps."""
    settings = settings or load_settings()
    app = Flask(
        "opes_lti", instance_path=str(settings.instance_path), instance_relative_config=True
    )
    app.config.update(
        SECRET_KEY=settings.secret_key,
        OPES_SETTINGS=settings,
        OPES_SERVICE=service,
        JSON_SORT_KEYS=False,
    )
    if settings.proxy_hops:
        # Client address and scheme as the operator's proxies saw them, trusting exactly
        # that many hops (a client cannot forge its way past the last proxy).
        n = settings.proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n)  # type: ignore[method-assign]
    (database or Database(settings.database_url)).init_app(app)
    i18n.init_app(app, settings.default_locale)
    app.after_request(_security_headers)
    app.context_processor(lambda: {"current_locale": str(get_locale() or "it")})
    app.register_blueprint(health.bp)
    errors.init_app(app)
    limits.init_app(app)
    formtext.init_app(app)
    outbound.init_app(app, outbound.from_settings(settings))
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.base_url.startswith("https://"),
    )
    app.session_interface = auth.CookieSessions()
    app.jinja_env.globals["csrf_token"] = auth.csrf_token
    from opes_lti.accounts import views as accounts_views

    app.register_blueprint(accounts_views.bp)

    if service in ("embedded", "tool"):
        from opes_lti.framework_library import views as frameworks_views
        from opes_lti.lti import activities, admin, views

        app.register_blueprint(views.bp)
        app.register_blueprint(admin.bp)
        app.register_blueprint(frameworks_views.bp)
        from opes_lti.cdp import block_api as community_blocks

        # Their calls join community_blocks.bp.
        from opes_lti.cdp import library_api, meeting_api, record_api  # noqa: F401
        from opes_lti.groupwork import block_api as groupwork_blocks
        from opes_lti.sites import api as blocks_api

        app.register_blueprint(blocks_api.bp)
        app.register_blueprint(groupwork_blocks.bp)
        app.register_blueprint(community_blocks.bp)
        for activity in _activities():
            activities.install(app, activity)

        from opes_lti.democourse import services as demo

        if demo.enabled(settings, service):
            from opes_lti.democourse import views as demo_views

            app.register_blueprint(demo_views.bp)
    if service in ("embedded", "reporting"):
        from opes_lti.dashboard import views as dashboard
        from opes_lti.reporting import api, pages

        app.register_blueprint(api.bp)
        app.register_blueprint(pages.bp)
        app.register_blueprint(dashboard.bp)
    return app
