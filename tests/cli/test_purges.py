"""``opes-lti purges``: every deliberate deletion is on the record."""

from __future__ import annotations

from collections.abc import Callable

from click.testing import Result

from tests.support.factories import platform_args, platform_spec


def test_the_record_is_empty_until_a_purge_and_then_names_it(run: Callable[..., Result]) -> None:
    assert "nothing has been purged" in run("purges", "list").output
    assert run("platforms", "add", *platform_args(platform_spec())).exit_code == 0
    assert run("platforms", "remove", "1").exit_code == 0
    purged = run("platforms", "purge", "1", "--yes")
    assert purged.exit_code == 0, purged.output
    listing = run("purges", "list").output
    assert "nothing has been purged" not in listing
    assert "platform" in listing
    assert "deleted " in listing
