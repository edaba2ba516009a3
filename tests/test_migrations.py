"""Alembic builds the schema from empty on both databases, and it matches the models."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

import opes_lti.events.models
import opes_lti.reporting.models  # noqa: F401
from opes_lti.core import migrate
from opes_lti.core.db import Base, make_engine
from tests.conftest import BACKENDS
from tests.support import databases


@pytest.fixture(params=BACKENDS)
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    # A database of its own: the shared test database is already migrated.
    with databases.postgres_database(migrated=False) as url:
        yield url


def _for_dialect(dialect: str) -> Any:
    """Compare what the models make on this dialect: an index made only on PostgreSQL
    (``ddl_if``, the practices' text search) is not expected on SQLite."""

    def include(obj: Any, _name: str, kind: str, _reflected: bool, _compare_to: Any) -> bool:
        only = getattr(obj, "_ddl_if", None) if kind == "index" else None
        return only is None or only.dialect in (None, dialect)

    return include


def test_migrations_build_the_schema_from_empty_and_match_the_models(empty_url: str) -> None:
    assert migrate.current(empty_url) is None
    migrate.upgrade(empty_url)
    assert migrate.current(empty_url) == migrate.head()
    engine = make_engine(empty_url)
    try:
        with engine.connect() as conn:
            options = {"include_object": _for_dialect(conn.dialect.name)}
            with warnings.catch_warnings():
                # Alembic says it skips the PostgreSQL-only index before asking include_object.
                warnings.filterwarnings("ignore", "autogenerate skipping .*'ix_practices_search'")
                context = MigrationContext.configure(conn, opts=options)
                diff = compare_metadata(context, Base.metadata)
            tables = set(sa.inspect(conn).get_table_names())
    finally:
        engine.dispose()
    assert diff == []
    assert {"sources", "events", "outbox"} <= tables


def test_migrations_downgrade_to_empty_and_back(empty_url: str) -> None:
    migrate.upgrade(empty_url)
    migrate.downgrade(empty_url, "base")
    assert migrate.current(empty_url) is None
    engine = make_engine(empty_url)
    try:
        with engine.connect() as conn:
            assert set(sa.inspect(conn).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()
    migrate.upgrade(empty_url)
    assert migrate.current(empty_url) == migrate.head()


@pytest.mark.skipif("postgresql" not in BACKENDS, reason="OPES_TEST_POSTGRES_URL=off")
def test_migrations_use_jsonb_for_envelopes_on_postgresql(postgres_url: str) -> None:
    engine = make_engine(postgres_url)
    try:
        with engine.connect() as conn:
            kind = conn.scalar(
                sa.text(
                    "SELECT data_type FROM information_schema.columns "
                    "WHERE table_name = 'events' AND column_name = 'envelope'"
                )
            )
    finally:
        engine.dispose()
    assert kind == "jsonb"
