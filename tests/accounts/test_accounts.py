"""Sign-in accounts and the administrators' platforms page."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

from opes_lti.accounts import services
from opes_lti.core.db import Database
from opes_lti.lti.dynamic import check_invite
from opes_lti.lti.registrations import add_platform
from tests.support.factories import platform_spec
from tests.support.signin import sign_in

PASSWORD = "una-password-lunga"


@pytest.fixture
def admin(database: Database) -> str:
    with database.transaction() as db:
        services.add_account(db, "anna", PASSWORD, "admin")
        services.add_account(db, "carlo", PASSWORD, "coordinator", ["national"])
        add_platform(
            db,
            platform_spec(
                "https://moodle.example.it",
                name="Moodle <Puglia>",
                client_id="abc",
                deployment_ids=("1", "7"),
            ),
        )
    return "anna"


def _csrf(page: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', page)
    assert match, page
    return match.group(1)


def _sign_in(
    client: FlaskClient,
    username: str,
    password: str = PASSWORD,
    next_path: str = "/admin/platforms",
) -> object:
    form = client.get("/login", headers={"Accept-Language": "en"})
    return client.post(
        f"/login?next={next_path}",
        headers={"Accept-Language": "en"},
        data={
            "csrf": _csrf(form.get_data(as_text=True)),
            "username": username,
            "password": password,
        },
    )


def test_admin_page_asks_who_is_asking(client: FlaskClient, admin: str) -> None:
    response = client.get("/admin/platforms")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/admin/platforms")


def test_admin_sees_platforms_escaped_and_no_private_key(client: FlaskClient, admin: str) -> None:
    answer = _sign_in(client, "anna")
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/admin/platforms"
    page = client.get("/admin/platforms", headers={"Accept-Language": "en"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Moodle &lt;Puglia&gt;" in text
    assert "1, 7" in text
    assert "/lti/jwks" in text
    assert "PRIVATE KEY" not in text
    assert "(signing)" in text


def test_coordinator_may_not_administer(client: FlaskClient, admin: str) -> None:
    _sign_in(client, "carlo")
    assert client.get("/admin/platforms").status_code == 403


def test_wrong_password_is_refused_in_italian_by_default(client: FlaskClient, admin: str) -> None:
    form = client.get("/login")
    response = client.post(
        "/login",
        data={
            "csrf": _csrf(form.get_data(as_text=True)),
            "username": "anna",
            "password": "sbagliata",
        },
    )
    assert response.status_code == 401
    assert "Nome utente o password errati" in response.get_data(as_text=True)
    assert client.get("/admin/platforms").status_code == 302


def test_sign_in_without_the_form_token_is_refused(client: FlaskClient, admin: str) -> None:
    response = client.post("/login", data={"username": "anna", "password": PASSWORD})
    assert response.status_code == 400


def test_sign_in_never_redirects_off_site(client: FlaskClient, admin: str) -> None:
    answer = _sign_in(client, "anna", next_path="//evil.example/x")
    assert answer.headers["Location"] == "/"


def test_sign_out_ends_the_session(client: FlaskClient, admin: str) -> None:
    _sign_in(client, "anna")
    page = client.get("/admin/platforms").get_data(as_text=True)
    assert client.post("/logout", data={"csrf": _csrf(page)}).status_code == 302
    assert client.get("/admin/platforms").status_code == 302


@pytest.mark.parametrize(
    ("username", "password", "role", "message"),
    [
        ("Anna Maria", PASSWORD, "admin", "lower-case"),
        ("anna2", "corta", "admin", "at least 12"),
        ("anna3", PASSWORD, "root", "role must be"),
    ],
)
def test_accounts_bad_input_is_explained(
    database: Database, username: str, password: str, role: str, message: str
) -> None:
    with database.transaction() as db, pytest.raises(services.AccountError, match=message):
        services.add_account(db, username, password, role)


def test_accounts_password_is_stored_hashed(database: Database) -> None:
    with database.transaction() as db:
        account = services.add_account(db, "dora", PASSWORD, "coordinator", ["region:12"])
        assert PASSWORD not in account.password_hash
        assert account.password_hash.startswith("scrypt:")


def test_admin_creates_a_registration_link_that_works(client: FlaskClient, admin: str) -> None:
    _sign_in(client, "anna")
    page = client.get("/admin/platforms").get_data(as_text=True)
    answer = client.post(
        "/admin/platforms/invite",
        headers={"Accept-Language": "en"},
        data={"csrf": _csrf(page), "name": "Canvas <Lazio>"},
    )
    text = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert "Canvas &lt;Lazio&gt;" in text
    link = re.search(r"<code>(http[^<]+/lti/register\?invite=[^<]+)</code>", text).group(1)
    invitation = link.split("invite=", 1)[1]
    secret = client.application.config["OPES_SETTINGS"].secret_key
    assert check_invite(secret, invitation).name == "Canvas <Lazio>"


def test_admin_registration_link_needs_a_name_and_the_form_token(
    client: FlaskClient, admin: str
) -> None:
    _sign_in(client, "anna")
    page = client.get("/admin/platforms").get_data(as_text=True)
    empty = client.post("/admin/platforms/invite", data={"csrf": _csrf(page), "name": " "})
    assert empty.status_code == 400
    assert 'role="alert"' in empty.get_data(as_text=True)
    forged = client.post("/admin/platforms/invite", data={"name": "x"})
    assert forged.status_code == 400


def test_the_demo_coordinator_gets_a_new_password_at_each_start(
    client: FlaskClient, database: Database
) -> None:
    with database.transaction() as db:
        first = services.demo_coordinator(db)
    with database.transaction() as db:
        second = services.demo_coordinator(db)
        account = services.enable_account(db, services.DEMO_COORDINATOR)
        assert services.scopes(db, account) == ["national"]
    assert first != second
    assert sign_in(client, services.DEMO_COORDINATOR, first).status_code == 401
    assert sign_in(client, services.DEMO_COORDINATOR, second).status_code == 302
