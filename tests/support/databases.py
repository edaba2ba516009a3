"""Test databases: a migrated SQLite file copied per test, and a PostgreSQL database per run."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

from opes_lti.core import migrate
from opes_lti.core.db import Base, Database

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def postgres_admin_url() -> str | None:
    """The server tests create their database on; None when the run opts out ("off")."""
    url = os.environ.get("OPES_TEST_POSTGRES_URL", DEFAULT_PG)
    return None if url == "off" else url


@contextmanager
def postgres_database(migrated: bool = True) -> Iterator[str]:
    """A fresh database (migrated unless asked not to), dropped afterwards."""
    admin_url = postgres_admin_url()
    assert admin_url
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"opes_test_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as exc:
        raise RuntimeError(
            f"PostgreSQL is not reachable at {admin_url}: start it (the test script does), "
            "or set OPES_TEST_POSTGRES_URL=off to run on SQLite only"
        ) from exc
    url = sa.make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    try:
        if migrated:
            migrate.upgrade(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :n AND pid <> pg_backend_pid()"
                ),
                {"n": name},
            )
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def sqlite_template(folder: Path) -> Path:
    """A migrated SQLite file that each test copies (migrating per test would be slow)."""
    path = folder / "template.db"
    migrate.upgrade(f"sqlite:///{path}")
    return path


def copy_sqlite(template: Path, folder: Path) -> str:
    """A private copy of the template, as a URL."""
    target = folder / "opes.db"
    shutil.copyfile(template, target)
    return f"sqlite:///{target}"


def truncate_all(database: Database) -> None:
    """Empty every table (PostgreSQL isolation between tests)."""
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with database.engine.begin() as conn:
        conn.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
