"""The tool served on loopback, and an Open edX platform registered with it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask

from opes_lti.app import create_app
from opes_lti.core import outbound
from opes_lti.core.db import Database
from opes_lti.core.settings import Settings
from opes_lti.lti.registrations import PlatformSpec, add_platform
from tests.support.platform import OpenEdxPlatform, _Late, open_edx_platform
from tests.support.servers import serve_wsgi


@dataclass
class Tool:
    url: str
    app: Flask
    database: Database


REDIS_URL = "redis://127.0.0.1:6379/14"


@pytest.fixture(params=["database-state"])
def tool(request: pytest.FixtureRequest, settings: Settings, database: Database) -> Iterator[Tool]:
    """The tool; launch state in the database unless a test asks for "redis-state"."""
    redis_url = REDIS_URL if request.param == "redis-state" else ""
    late = _Late()
    with serve_wsgi(late) as url:
        served = settings.with_overrides(base_url=url, redis_url=redis_url)
        app = create_app(served, "embedded", database=database)
        late.app = app
        # The workers (grades, outbox) of this tool, run by tests outside any app, reach
        # the platform under the tool's policy, as `opes-lti ... worker` does.
        previous = outbound.configure(outbound.from_settings(served))
        try:
            yield Tool(url, app, database)
        finally:
            outbound.configure(previous)


@pytest.fixture
def platform(tool: Tool) -> Iterator[OpenEdxPlatform]:
    with open_edx_platform(tool.url) as edx:
        with tool.database.transaction() as db:
            add_platform(db, PlatformSpec(**edx.registration()))
        yield edx
