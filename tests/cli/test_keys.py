"""``opes-lti keys``: rotation publishes the new and previous keys, never a private one."""

from __future__ import annotations

from collections.abc import Callable

from click.testing import Result
from flask import Flask


def test_cli_keys_rotate_publishes_new_and_previous_never_private(
    run: Callable[..., Result], app: Flask
) -> None:
    first = run("keys", "rotate").output.split()[3].rstrip(";")
    second = run("keys", "rotate").output.split()[3].rstrip(";")
    third = run("keys", "rotate").output.split()[3].rstrip(";")
    listing = run("keys", "list").output
    assert f"{third}" in listing.splitlines()[0]
    assert "signing" in listing.splitlines()[0]
    assert "retired" in listing.splitlines()[2]
    assert "PRIVATE" not in listing
    published = app.test_client().get("/lti/jwks").json["keys"]
    assert [k["kid"] for k in published] == [third, second]
    assert first not in {k["kid"] for k in published}
    assert all("d" not in k and k["alg"] == "RS256" and k["use"] == "sig" for k in published)
