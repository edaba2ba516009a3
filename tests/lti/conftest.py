"""The tool served on loopback, and an Open edX platform registered with it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask

from opes_lti.app import create_app
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


@pytest.fixture
def tool(settings: Settings, database: Database) -> Iterator[Tool]:
    late = _Late()
    with serve_wsgi(late) as url:
        app = create_app(settings.with_overrides(base_url=url), "embedded", database=database)
        late.app = app
        yield Tool(url, app, database)


@pytest.fixture
def platform(tool: Tool) -> Iterator[OpenEdxPlatform]:
    with open_edx_platform(tool.url) as edx:
        with tool.database.transaction() as db:
            add_platform(db, PlatformSpec(**edx.registration()))
        yield edx
