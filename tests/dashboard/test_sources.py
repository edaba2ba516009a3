"""The sources page: for administrators only, what each sender sent and why it was refused."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from opes_lti.core.db import Database
from tests.dashboard.conftest import page
from tests.reporting.test_api import post
from tests.support.factories import event_json

HOSTILE = '<script>alert("x")</script>'


def test_an_administrator_sees_each_source_its_refusals_and_why(
    app: Flask,
    programme: Database,
    signed_in: Callable[..., FlaskClient],
    make_source: Callable[..., str],
) -> None:
    token = make_source("moodle-b")
    sender = app.test_client()
    batch = [event_json(source="moodle-b"), dict(event_json(source="moodle-b"), **{HOSTILE: 1})]
    assert post(sender, token, batch).json["summary"] == {
        "accepted": 1, "duplicate": 0, "conflict": 0, "rejected": 1,
    }  # fmt: skip
    admin = signed_in("national", role="admin")
    shown = page(admin, "/dashboard/sources?lang=en")
    assert "moodle-b" in shown
    assert "tool-a" in shown
    assert "Why events from moodle-b were refused" in shown
    assert HOSTILE not in shown
    assert "&lt;script&gt;" in shown
    assert "Extra inputs are not permitted" in shown
    assert 'href="/dashboard/sources"' in page(admin, "/dashboard/?lang=en")
    exported = page(admin, "/dashboard/sources.csv?lang=en")
    assert "moodle-b,yes," in exported
    assert "rejected" in exported
    assert HOSTILE in page(admin, "/dashboard/sources.xlsx").replace("&lt;", "<").replace(
        "&gt;", ">"
    ).replace("&quot;", '"')
    italian = page(admin, "/dashboard/sources")
    assert "Fonti" in italian
    assert "rifiutat" in italian


def test_nobody_else_sees_the_sources(
    app: Flask, programme: Database, signed_in: Callable[..., FlaskClient]
) -> None:
    for scopes in (("national",), ("region:12",), ("community:giovani",)):
        coordinator = signed_in(*scopes)
        for url in ("/dashboard/sources", "/dashboard/sources.csv", "/dashboard/sources.xlsx"):
            answer = coordinator.get(url)
            assert answer.status_code == 403, (scopes, url)
            assert "tool-a" not in answer.get_data(as_text=True)
        assert 'href="/dashboard/sources"' not in page(coordinator, "/dashboard/")
    anonymous = app.test_client().get("/dashboard/sources")
    assert anonymous.status_code == 302
    assert "/login" in anonymous.headers["Location"]


def test_with_no_source_the_page_says_how_to_register_one(app: Flask, database: Database) -> None:
    from opes_lti.accounts import services as accounts
    from tests.support.signin import sign_in

    with database.transaction() as db:
        accounts.add_account(db, "admin-1", "una-password-lunga", "admin", ["national"])
    client = app.test_client()
    assert sign_in(client, "admin-1", "una-password-lunga").status_code == 302
    assert "opes-lti sources add NAME" in page(client, "/dashboard/sources?lang=en")
