"""``opes-lti`` itself: every command explains itself; settings are checked before work."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import click
import pytest
from click.testing import CliRunner, Result

from opes_lti.cli import main


def _commands(group: click.Group, path: tuple[str, ...] = ()) -> Iterator[list[str]]:
    # Walked from the group itself, so a new command is swept without editing a list.
    yield list(path)
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            yield from _commands(command, (*path, name))
        else:
            yield [*path, name]


COMMANDS = list(_commands(main))


def test_the_sweep_reaches_every_subgroup() -> None:
    assert {c[0] for c in COMMANDS if c} == set(main.commands)
    assert ["sites", "rotate"] in COMMANDS


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "opes-lti")
def test_every_command_explains_itself(command: list[str]) -> None:
    result = CliRunner().invoke(main, [*command, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output
    # The first line of the docstring is the summary shown under Usage.
    assert len(result.output.splitlines()) > 3


def test_cli_bad_setting_is_a_clear_error(run: Callable[..., Result]) -> None:
    result = run("outbox", "status", extra_env={"OPES_OUTBOX_BATCH_SIZE": "many"})
    assert result.exit_code == 1
    assert "OPES_OUTBOX_BATCH_SIZE must be a whole number" in result.output
