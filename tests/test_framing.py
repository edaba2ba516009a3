"""Only activity pages may be framed, and only by registered platforms; every other page
(sign-in, admin, reports, errors) forbids framing."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

#: Blueprints whose pages open inside a platform's iframe (the demo course's sign-in step
#: runs in the tool's frame, as a real platform's does).
EMBEDDABLE = ("lti.", "placeholder.", "selfassessment.", "groupwork.", "demo.")


def _get_routes(app: Flask) -> list[tuple[str, str]]:
    routes = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.arguments - {"filename"}:
            continue
        path = rule.rule.replace("<path:filename>", "x.css").replace("<filename>", "x.css")
        routes.append((rule.endpoint, path))
    return sorted(routes)


def test_every_page_outside_activities_forbids_framing(app: Flask, client: FlaskClient) -> None:
    routes = _get_routes(app)
    assert ("accounts.login", "/login") in routes
    checked = 0
    for endpoint, path in [*routes, ("(none)", "/no-such-page")]:
        response = client.get(path)
        policy = response.headers.get("Content-Security-Policy", "")
        ancestors = re.search(r"frame-ancestors ([^;]*)", policy)
        assert ancestors, (path, policy)
        if endpoint.startswith(EMBEDDABLE):
            assert "'none'" not in ancestors.group(1), path
            assert "X-Frame-Options" not in response.headers, path
        else:
            assert ancestors.group(1).strip() == "'none'", (path, policy)
            assert response.headers.get("X-Frame-Options") == "DENY", path
            checked += 1
    assert checked >= 5  # sign-in, admin, health, frameworks, the error page at least
