"""``opes-lti communities``: a national coordinator makes the communities."""

from __future__ import annotations

from collections.abc import Callable

from click.testing import Result


def test_communities_are_added_listed_and_disabled_not_deleted(
    run: Callable[..., Result],
) -> None:
    assert "no communities yet" in run("communities", "list").output
    added = run("communities", "add", "giovani", "Giovani e partecipazione",
                "--space", "https://forum.example.org/c/giovani")  # fmt: skip
    assert added.exit_code == 0, added.output
    assert "giovani" in run("communities", "list").output
    again = run("communities", "add", "giovani", "Altro")
    assert again.exit_code == 1
    assert "exists already" in again.output
    bad = run("communities", "add", "ambiente", "Ambiente", "--space", "javascript:alert(1)")
    assert bad.exit_code == 1
    assert "space_url" in bad.output
    assert run("communities", "disable", "giovani").exit_code == 0
    assert "giovani" not in run("communities", "list").output
    assert "(disabled)" in run("communities", "list", "--all").output
    assert run("communities", "disable", "nessuna").exit_code == 1
