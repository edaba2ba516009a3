"""``opes-lti platforms``: registering, listing and removing platforms by hand."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from click.testing import Result

from tests.support.factories import platform_args, platform_spec

PLATFORM_ARGS = platform_args(
    platform_spec("https://moodle.example.it", name="Moodle Puglia", client_id="abc123")
)


def test_cli_platforms_lifecycle(run: Callable[..., Result]) -> None:
    assert "no platforms yet" in run("platforms", "list").output
    added = run("platforms", "add", *PLATFORM_ARGS)
    assert added.exit_code == 0, added.output
    assert "platform 1 registered" in added.output
    assert "deployment 7 added" in run("platforms", "add-deployment", "1", "7").output
    listing = run("platforms", "list").output
    assert "Moodle Puglia" in listing
    assert "deployments 1, 7" in listing
    removed = run("platforms", "remove", "1").output
    assert "platform 1 removed" in removed
    assert "Kept:" in removed
    assert "[removed " in run("platforms", "list").output
    again = run("platforms", "remove", "1")
    assert again.exit_code == 1
    assert "removed already" in again.output
    restored = run("platforms", "add", *PLATFORM_ARGS)
    assert "platform 1 restored" in restored.output, restored.output
    assert "[removed " not in run("platforms", "list").output
    assert "deployments 1, 7" in run("platforms", "list").output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["platforms", "add", *PLATFORM_ARGS[:-2], "--login-url", "ftp://x"], "must be an http"),
        (["platforms", "remove", "99"], "no platform with id 99"),
        (["platforms", "purge", "99", "--yes"], "no platform with id 99"),
        (["platforms", "add-deployment", "99", "1"], "no platform with id 99"),
    ],
)
def test_cli_platforms_errors_are_plain(
    run: Callable[..., Result], args: list[str], message: str
) -> None:
    result = run(*args)
    assert result.exit_code == 1
    assert message in result.output


def test_cli_platforms_same_registration_twice_is_refused(run: Callable[..., Result]) -> None:
    run("platforms", "add", *PLATFORM_ARGS)
    result = run("platforms", "add", *PLATFORM_ARGS)
    assert result.exit_code == 1
    assert "registered already" in result.output
