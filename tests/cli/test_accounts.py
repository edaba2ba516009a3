"""``opes-lti accounts``: the people who sign in to the service."""

from __future__ import annotations

from collections.abc import Callable

from click.testing import Result


def test_cli_accounts_lifecycle(run: Callable[..., Result]) -> None:
    assert "no accounts yet" in run("accounts", "list").output
    added = run("accounts", "add", "anna", "--role", "admin", "--password", "una-password-lunga")
    assert added.exit_code == 0, added.output
    assert "anna" in run("accounts", "list").output
    short = run("accounts", "add", "bea", "--password", "corta")
    assert short.exit_code == 1
    assert "at least 12" in short.output
    assert "removed" in run("accounts", "remove", "anna").output
