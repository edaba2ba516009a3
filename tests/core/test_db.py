"""The pool hands out live connections without pinging busy ones."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from opes_lti.core.db import Contended, Database, make_engine, with_retries


@pytest.fixture
def pg_url(request: pytest.FixtureRequest) -> str:
    from tests.support import databases

    if not databases.postgres_admin_url():
        pytest.skip("PostgreSQL tests turned off (OPES_TEST_POSTGRES_URL=off)")
    return request.getfixturevalue("postgres_url")


def _backend_pid(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()


def _terminate(url: str, pid: int) -> None:
    killer = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with killer.connect() as conn:
        conn.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    killer.dispose()


def test_a_connection_killed_while_idle_is_replaced_unseen(pg_url: str) -> None:
    engine = make_engine(pg_url, alive_window=0.05)
    dead = _backend_pid(engine)
    _terminate(pg_url, dead)
    time.sleep(0.1)  # idle past the window: the checkout pings and finds it dead
    assert _backend_pid(engine) != dead
    engine.dispose()


def test_a_connection_used_moments_ago_is_not_pinged(pg_url: str) -> None:
    engine = make_engine(pg_url, alive_window=60)
    pings: list[object] = []
    original = engine.dialect.do_ping
    engine.dialect.do_ping = lambda conn: pings.append(conn) or original(conn)  # type: ignore[method-assign]
    for _ in range(5):
        _backend_pid(engine)
    assert pings == []
    engine.dialect.do_ping = original  # type: ignore[method-assign]
    engine.dispose()


def test_only_the_relaxed_engine_commits_without_waiting_for_disk(pg_url: str) -> None:
    from opes_lti.core.db import Database, relaxed_engine

    database = Database(pg_url)
    with database.sessions() as db:
        relaxed = relaxed_engine(db)
        assert relaxed is not None
        assert db.execute(sa.text("SHOW synchronous_commit")).scalar_one() == "on"
    with relaxed.connect() as conn:
        assert conn.execute(sa.text("SHOW synchronous_commit")).scalar_one() == "off"
    database.dispose()


def test_sqlite_has_no_relaxed_engine(tmp_path: object) -> None:
    from opes_lti.core.db import Database, relaxed_engine

    database = Database(f"sqlite:///{tmp_path}/x.db")
    with database.sessions() as db:
        assert relaxed_engine(db) is None
    database.dispose()


class _Deadlock(Exception):
    sqlstate = "40P01"


def test_with_retries_runs_again_after_a_deadlock_then_gives_up(database: Database) -> None:
    calls = []

    def work(fail_times: int) -> str:
        calls.append(1)
        if len(calls) <= fail_times:
            raise sa.exc.OperationalError("INSERT", {}, _Deadlock("deadlock detected"))
        return "stored"

    with database.sessions() as db:
        assert with_retries(db, lambda: work(2)) == "stored"
        assert len(calls) == 3
        calls.clear()
        with pytest.raises(Contended):
            with_retries(db, lambda: work(10), attempts=3)
        assert len(calls) == 3
        calls.clear()

        # Anything else is not retried.
        def disk_full() -> None:
            calls.append(1)
            raise sa.exc.OperationalError("INSERT", {}, Exception("disk full"))

        with pytest.raises(sa.exc.OperationalError):
            with_retries(db, disk_full)
        assert len(calls) == 1
