"""``opes-lti outbox``: what an operator sees when delivery cannot happen."""

from __future__ import annotations

from collections.abc import Callable

from click.testing import Result

from opes_lti.core.db import Database
from opes_lti.events.outbox import SqlOutbox


def test_cli_flush_without_a_reporting_url_says_what_to_set(run: Callable[..., Result]) -> None:
    result = run("outbox", "flush")
    assert result.exit_code == 1
    assert "OPES_REPORTING_URL" in result.output


def test_cli_flush_against_a_down_service_fails_and_keeps_the_events(
    run: Callable[..., Result], database: Database
) -> None:
    run("demo", "--learners", "1")
    result = run(
        "outbox",
        "flush",
        extra_env={"OPES_REPORTING_URL": "http://127.0.0.1:9", "OPES_REPORTING_TOKEN": "opes_x"},
    )
    assert result.exit_code == 1
    assert "unreachable" in result.output
    counts = SqlOutbox(database.sessions).counts()
    assert counts["delivered"] == 0
    assert counts["pending"] > 0
