"""The database: one engine and session factory per application, wired with ``init_app``.

Services take a :class:`~sqlalchemy.orm.Session` argument; only views and the CLI ask
:func:`session` for the one bound to the current request.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, cast

import sqlalchemy as sa
from flask import Flask, g
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: JSON everywhere, JSONB on PostgreSQL so the raw envelope can be queried and indexed.
JSONType = sa.JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    """Declarative base of every table, with constraint names Alembic can rely on."""

    metadata = sa.MetaData(naming_convention=NAMING)


def affected(result: sa.Result[Any]) -> int:
    """Rows an UPDATE or DELETE touched (its result is a cursor result, typed as any)."""
    return cast(sa.CursorResult[Any], result).rowcount


def utcnow() -> datetime:
    """Aware UTC now; stored naive-free so SQLite and PostgreSQL agree."""
    return datetime.now(UTC)


class UTCDateTime(sa.TypeDecorator[datetime]):
    """Timestamps are UTC and aware on the way out, whatever the backend keeps."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        """Refuse naive datetimes; store UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; pass an aware UTC datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        """Give back aware UTC datetimes."""
        if value is None:
            return None
        # SQLite gives naive datetimes back: they were written as UTC.
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the dashboard read while the ingestion writes; the timeout turns lock
    # contention between threads and processes into waiting instead of errors.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


#: A pooled connection used less than this many seconds ago is handed out without a ping.
ALIVE_WINDOW = 1.0


def make_engine(url: str, alive_window: float = ALIVE_WINDOW, **kwargs: Any) -> Engine:
    """An engine with the settings each backend needs."""
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"check_same_thread": False}, **kwargs)
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    engine = sa.create_engine(url, **kwargs)
    _ping_idle_connections(engine, alive_window)
    return engine


def _ping_idle_connections(engine: Engine, alive_window: float) -> None:
    """Pessimistic disconnect handling, but only for connections that sat idle.

    ``pool_pre_ping`` pings on every checkout: a round trip per request, a tenth of a
    launch's cost. A connection given back moments ago is almost surely alive (HikariCP
    skips the test within 500 ms for the same reason), so only one idle longer than
    ``alive_window`` is pinged; a dead one is discarded and the pool connects afresh.
    """

    @sa.event.listens_for(engine, "connect")
    @sa.event.listens_for(engine, "checkin")
    def _fresh(_dbapi_connection: Any, record: Any) -> None:
        record.info["opes_checked_in"] = time.monotonic()

    @sa.event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if time.monotonic() - record.info.get("opes_checked_in", 0.0) < alive_window:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error:
            alive = False
        if not alive:
            raise sa.exc.DisconnectionError("connection found dead on checkout")


#: SQLSTATEs of a transaction the database gave up so another could go on: deadlock
#: detected and serialization failure. Running it again is the documented remedy.
RETRYABLE = frozenset({"40P01", "40001"})


class Contended(Exception):
    """Still deadlocked or serialized away after every retry: the caller should retry later."""


def with_retries[T](db: Session, work: Callable[[], T], attempts: int = 4) -> T:
    """Run ``work`` (which writes through ``db``, uncommitted); again after a deadlock.

    Each retry starts from a rolled-back session, after a short random pause that grows,
    so two transactions that collided do not collide again in step.
    """
    for attempt in range(1, attempts + 1):
        try:
            return work()
        except sa.exc.DBAPIError as exc:
            if getattr(exc.orig, "sqlstate", None) not in RETRYABLE:
                raise
            db.rollback()
            if attempt == attempts:
                raise Contended(str(exc.orig).splitlines()[0]) from None
            time.sleep(random.uniform(0.01, 0.05) * attempt)  # noqa: S311 (jitter, not secrets)
    raise AssertionError("unreachable")


def lock_for_change(db: Session, query: sa.Select[Any], model: Any, *where: Any) -> sa.Select[Any]:
    """``query`` made to read rows about to be changed, so no concurrent change is lost.

    PostgreSQL locks the rows with ``SELECT … FOR UPDATE``. SQLite has no row locks: a
    write that changes nothing is issued first, which starts the transaction holding the
    database's write lock, so a second writer waits and then reads what the first wrote.
    """
    if db.get_bind().dialect.name == "sqlite":
        db.execute(
            sa.update(model)
            .where(*where)
            .values(id=model.id)
            .execution_options(synchronize_session=False)
        )
        return query
    return query.with_for_update()


#: Session.info key of the relaxed engine (None on SQLite).
RELAXED = "opes_relaxed_engine"


def _relaxed_engine(url: str) -> Engine | None:
    """On PostgreSQL, an engine whose single statements commit without waiting for disk.

    For records of what happened whose last moments may be lost if the database server
    crashes (``synchronous_commit = off`` loses at most a fraction of a second of commits,
    never consistency): the LTI launch log. Waiting for the WAL flush was most of a
    launch's latency and held a worker idle meanwhile. Grades, outcome events, answers and
    registrations never use it.
    """
    if url.startswith("sqlite"):
        return None
    return make_engine(
        url,
        isolation_level="AUTOCOMMIT",
        connect_args={"options": "-c synchronous_commit=off"},
        pool_size=2,
        max_overflow=8,
    )


def relaxed_engine(db: Session) -> Engine | None:
    """The relaxed engine of the database ``db`` belongs to (see :func:`_relaxed_engine`)."""
    return db.info.get(RELAXED)


class Database:
    """Engine plus session factory; one per app, attached as ``app.extensions["opes_db"]``."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = url
        self.engine = make_engine(url, **engine_kwargs)
        self.relaxed_engine = _relaxed_engine(url)
        self.sessions = sessionmaker(
            self.engine, expire_on_commit=False, info={RELAXED: self.relaxed_engine}
        )

    @property
    def is_postgresql(self) -> bool:
        """True when the backend supports row locks and JSONB."""
        return self.engine.dialect.name == "postgresql"

    def init_app(self, app: Flask) -> None:
        """Attach to an app and close the request's session when the request ends."""
        app.extensions["opes_db"] = self
        app.teardown_appcontext(_close_session)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session committed on success and rolled back on error (CLI and workers)."""
        with self.sessions.begin() as db_session:
            yield db_session

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
        if self.relaxed_engine is not None:
            self.relaxed_engine.dispose()


def database(app: Flask) -> Database:
    """The app's :class:`Database`."""
    return app.extensions["opes_db"]


def session() -> Session:
    """The session of the current request (created on first use)."""
    if "opes_db_session" not in g:
        from flask import current_app

        g.opes_db_session = database(current_app).sessions()
    return g.opes_db_session


def _close_session(_exc: BaseException | None) -> None:
    db_session = g.pop("opes_db_session", None)
    if db_session is not None:
        db_session.close()
