"""``opes-lti accounts``: administrators and coordinators, their scopes, disabling."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from click.testing import Result
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.signin import sign_in

PASSWORD = "una-password-lunga"


def _sign_in(app: Flask, username: str) -> int:
    return int(sign_in(app.test_client(), username, PASSWORD).status_code)


def test_accounts_lifecycle(run: Callable[..., Result], app: Flask) -> None:
    assert "no accounts yet" in run("accounts", "list").output
    added = run("accounts", "add", "anna", "--role", "admin", "--password", PASSWORD)
    assert added.exit_code == 0, added.output
    assert "anna" in run("accounts", "list").output
    short = run("accounts", "add", "bea", "--password", "corta")
    assert short.exit_code == 1
    assert "at least 12" in short.output
    assert _sign_in(app, "anna") == 302
    assert "disabled" in run("accounts", "disable", "anna").output
    assert "disabled " in run("accounts", "list").output
    assert _sign_in(app, "anna") == 401
    again = run("accounts", "disable", "anna")
    assert (again.exit_code, "disabled already" in again.output) == (1, True)
    assert "enabled" in run("accounts", "enable", "anna").output
    assert _sign_in(app, "anna") == 302


def test_a_coordinator_is_given_scopes_and_the_list_shows_them(run: Callable[..., Result]) -> None:
    added = run(
        "accounts", "add", "carla", "--scope", "region:12", "--scope", "community:giovani",
        "--password", PASSWORD,
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    assert "sees region:12 + community:giovani" in added.output
    assert "community:giovani + region:12" in run("accounts", "list").output
    none = run("accounts", "add", "dario", "--password", PASSWORD)
    assert none.exit_code == 1
    assert "needs at least one --scope" in none.output


@pytest.mark.parametrize(
    ("scope", "says"),
    [
        ("planet:earth", "unknown scope"),
        ("region:99", "ISTAT code"),
        ("national:it", "takes no value"),
        ("community:", "needs a value"),
    ],
)
def test_a_wrong_scope_is_refused_plainly(
    run: Callable[..., Result], scope: str, says: str
) -> None:
    result = run("accounts", "add", "elena", "--scope", scope, "--password", PASSWORD)
    assert result.exit_code == 1
    assert says in result.output
    assert "elena" not in run("accounts", "list").output  # nothing half-made


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(scope=st.text(max_size=30))
def test_any_scope_text_is_taken_or_refused_with_a_message(
    run: Callable[..., Result], scope: str
) -> None:
    name = f"fuzz-{uuid.uuid4().hex[:12]}"
    result = run("accounts", "add", name, "--scope", scope, "--password", PASSWORD)
    assert result.exit_code in (0, 1), result.output
    assert "Traceback" not in result.output
    listed = name in run("accounts", "list").output
    assert listed == (result.exit_code == 0)  # made whole, or not at all
    if listed:
        assert scope.partition(":")[0].strip() in (
            "national",
            "region",
            "community",
            "organisation",
        )
