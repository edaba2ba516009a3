"""``opes-lti sources`` and ``opes-lti sites``: the two token registries, one set of commands.

Both groups are made by :func:`opes_lti.cli.tokens.token_commands`, so every case runs on
both, and ends where the token matters: the API that the token opens.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import Result
from flask import Flask

from opes_lti.core.db import Database
from opes_lti.core.tokens import Registry, hash_token
from opes_lti.reporting.sources import REGISTRY as SOURCES
from opes_lti.sites import services as sites


@dataclass(frozen=True)
class Group:
    name: str
    registry: Registry
    #: The API call that answers 200 only for an active token of this registry.
    probe: Callable[[Flask, str], int]


def _source_probe(app: Flask, token: str) -> int:
    return (
        app.test_client()
        .get("/api/v1/source", headers={"Authorization": f"Bearer {token}"})
        .status_code
    )


def _site_probe(app: Flask, token: str) -> int:
    headers = {
        "Authorization": f"Bearer {token}",
        sites.ACTOR: "a" * 64,
        sites.ROLE: "learner",
        sites.COURSE: "course-v1:OPES+T+1",
    }
    return app.test_client().get("/api/v1/blocks/whoami", headers=headers).status_code


GROUPS = [
    Group("sources", SOURCES, _source_probe),
    Group("sites", sites.REGISTRY, _site_probe),
]


@pytest.fixture(params=GROUPS, ids=lambda g: g.name)
def group(request: pytest.FixtureRequest) -> Group:
    return request.param  # type: ignore[no-any-return]


def _token(result: Result) -> str:
    assert result.exit_code == 0, result.output
    return result.output.strip().splitlines()[-1]


def test_add_shows_the_token_once_and_stores_only_its_hash(
    group: Group, run: Callable[..., Result], database: Database, app: Flask
) -> None:
    token = _token(run(group.name, "add", "moodle-puglia"))
    assert token.startswith(group.registry.prefix)
    with database.sessions() as db:
        row: Any = db.scalar(sa.select(group.registry.model))
    assert row.token_hash == hash_token(token)
    assert token not in run(group.name, "list").output
    assert group.probe(app, token) == 200


def test_revoke_and_rotate_close_the_old_token_and_open_the_new(
    group: Group, run: Callable[..., Result], app: Flask
) -> None:
    noun = group.registry.noun
    assert f"no {noun}s yet" in run(group.name, "list").output
    old = _token(run(group.name, "add", "openedx-main"))
    assert "active" in run(group.name, "list").output
    assert f"{noun} openedx-main revoked" in run(group.name, "revoke", "openedx-main").output
    assert "revoked" in run(group.name, "list").output
    assert group.probe(app, old) == 401
    new = _token(run(group.name, "rotate", "openedx-main"))
    assert "active" in run(group.name, "list").output
    assert group.probe(app, new) == 200
    assert group.probe(app, old) == 401


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["add", "Bad Name"], "invalid {noun} name"),
        (["revoke", "nobody"], "no {noun} named 'nobody'"),
        (["rotate", "nobody"], "no {noun} named 'nobody'"),
    ],
)
def test_mistakes_are_plain_messages(
    group: Group, run: Callable[..., Result], args: list[str], message: str
) -> None:
    result = run(group.name, *args)
    assert result.exit_code == 1
    assert message.format(noun=group.registry.noun) in result.output
    assert "Traceback" not in result.output


def test_adding_a_name_twice_is_refused_and_keeps_the_first_token(
    group: Group, run: Callable[..., Result], app: Flask
) -> None:
    first = _token(run(group.name, "add", "dup"))
    again = run(group.name, "add", "dup")
    assert again.exit_code == 1
    assert "exists already" in again.output
    assert group.probe(app, first) == 200
