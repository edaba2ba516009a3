"""The reporting service's pages: Italian first, English on request, safe headers."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient

from opes_lti.app import create_app
from opes_lti.core.db import Database
from opes_lti.core.settings import Settings


@pytest.mark.parametrize(
    ("query", "headers", "title", "lang"),
    [
        ("", {}, "Servizio di rendicontazione OPES", "it"),
        ("", {"Accept-Language": "en-GB,en;q=0.9"}, "OPES reporting service", "en"),
        ("?lang=it", {"Accept-Language": "en"}, "Servizio di rendicontazione OPES", "it"),
        ("?lang=en", {}, "OPES reporting service", "en"),
        ("?lang=xx", {"Accept-Language": "de"}, "Servizio di rendicontazione OPES", "it"),
    ],
)
def test_pages_index_speaks_italian_first(
    client: FlaskClient, query: str, headers: dict[str, str], title: str, lang: str
) -> None:
    response = client.get("/" + query, headers=headers)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert f"<title>{title}</title>" in text
    assert f'<html lang="{lang}">' in text
    assert 'href="/api/v1/openapi.json"' in text


def test_pages_carry_security_headers(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


def test_pages_health_reports_the_database(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["status"] == "ok"


def test_pages_unknown_page_is_a_plain_404(client: FlaskClient) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"


def test_pages_health_is_served_by_every_service(settings: Settings, database: Database) -> None:
    for service in ("tool", "reporting", "embedded"):
        client = create_app(settings, service, database=database).test_client()
        assert client.get("/healthz").json["status"] == "ok"


def test_pages_health_is_503_when_the_database_is_gone(tmp_path: Path, settings: Settings) -> None:
    broken = Database(f"sqlite:///{tmp_path}/missing-folder/none.db")
    client = create_app(settings, "reporting", database=broken).test_client()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["checks"]["database"] == "unreachable"


@pytest.mark.parametrize("service", ["tool", "embedded"])
def test_pages_health_names_an_unreachable_redis_and_answers_503(
    settings: Settings, database: Database, service: str
) -> None:
    from tests.support.processes import free_port

    nothing_there = f"redis://127.0.0.1:{free_port()}/0"  # loopback, nobody listening
    app = create_app(settings.with_overrides(redis_url=nothing_there), service, database=database)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["status"] == "error"
    assert response.json["checks"] == {"database": "ok", "redis": "unreachable"}


def test_pages_health_checks_a_running_redis(settings: Settings, database: Database) -> None:
    live = settings.with_overrides(redis_url="redis://127.0.0.1:6379/14")
    response = create_app(live, "tool", database=database).test_client().get("/healthz")
    assert response.status_code == 200
    assert response.json["checks"] == {"database": "ok", "redis": "ok"}
    reporting = create_app(live, "reporting", database=database).test_client().get("/healthz")
    assert reporting.json["checks"] == {"database": "ok"}  # it does not use Redis
