"""``opes-lti db``: the schema an operator upgrades."""

from __future__ import annotations

from collections.abc import Callable

from click.testing import Result

from opes_lti.core import migrate


def test_cli_db_current_reports_the_migrated_revision(run: Callable[..., Result]) -> None:
    assert run("db", "current").output.strip() == migrate.head()
    assert migrate.head() in run("db", "upgrade").output
