"""Fixtures: every database test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from flask import Flask
from flask.testing import FlaskClient

from opes_lti.app import create_app
from opes_lti.cli import main
from opes_lti.core import outbound
from opes_lti.core.db import Database
from opes_lti.core.settings import Settings, load_settings
from opes_lti.reporting import sources
from tests.support import databases

BACKENDS = ["sqlite"] + (["postgresql"] if databases.postgres_admin_url() else [])


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say so when the PostgreSQL half of the suite was turned off, never drop it silently."""
    if "postgresql" not in BACKENDS:
        terminalreporter.write_sep(
            "!",
            "PostgreSQL turned off (OPES_TEST_POSTGRES_URL=off): database tests ran on SQLite "
            "only; this run does not show the suite green",
            yellow=True,
        )


@pytest.fixture(autouse=True)
def process_outbound_policy() -> Iterator[None]:
    """Each test starts from the process's default policy, whatever an earlier one set.

    A CLI test sets it (as every command does); a later test that relied on that would
    pass in the suite and fail alone.
    """
    previous = outbound.configure(outbound.Policy())
    yield
    outbound.configure(previous)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return databases.sqlite_template(tmp_path_factory.mktemp("template"))


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    with databases.postgres_database() as url:
        yield url


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return databases.copy_sqlite(request.getfixturevalue("sqlite_template"), tmp_path)
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    db = Database(database_url)
    yield db
    if db.is_postgresql:
        databases.truncate_all(db)
    db.dispose()


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return load_settings(
        {
            "OPES_INSTANCE_PATH": str(tmp_path / "instance"),
            "OPES_DATABASE_URL": database_url,
            "OPES_SECRET_KEY": "test-secret",
            "OPES_MAX_BATCH_ITEMS": "50",
            "OPES_MAX_BODY_BYTES": "200000",
        }
    )


@pytest.fixture
def app(settings: Settings, database: Database) -> Flask:
    return create_app(settings, "embedded", database=database)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def run(tmp_path: Path, database_url: str, database: Database) -> Callable[..., Result]:
    """``opes-lti ARGS`` as an operator runs it, on the test's database (source tool-a)."""
    # ``database``: its teardown empties the shared PostgreSQL database after each test.
    env = {
        "OPES_INSTANCE_PATH": str(tmp_path / "instance"),
        "OPES_DATABASE_URL": database_url,
        "OPES_SOURCE_NAME": "tool-a",
    }

    def invoke(
        *args: str, extra_env: dict[str, str] | None = None, input: str | None = None
    ) -> Result:
        return CliRunner().invoke(
            main, list(args), env=env | (extra_env or {}), input=input, catch_exceptions=False
        )

    return invoke


@pytest.fixture
def make_source(database: Database) -> Callable[[str], str]:
    """Register a source and return its token."""

    def make(name: str = "tool-a") -> str:
        with database.transaction() as db:
            return sources.add_source(db, name).token

    return make


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium for a module's browser tests (tests.support.browser)."""
    from tests.support.browser import chromium

    with chromium() as opened:
        yield opened
