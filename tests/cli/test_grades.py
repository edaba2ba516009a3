"""``opes-lti grades``: the grade queue as an operator sees it."""

from __future__ import annotations

from collections.abc import Callable

from click.testing import Result


def test_cli_grades_status_and_flush_with_nothing_queued(run: Callable[..., Result]) -> None:
    assert run("grades", "status").output.strip() == "pending: 0, sent: 0, failed: 0"
    assert "sent 0, failed 0" in run("grades", "flush").output
