"""Launch state shared by every worker: Redis when configured, the database otherwise.

A login may be answered by one worker and its launch by another, so nothing here lives in
process memory. ``take`` and ``claim`` are atomic: a state is used once, a nonce is
accepted once.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from opes_lti.core.db import affected, utcnow
from opes_lti.lti.models import LaunchValue


class LaunchStore(Protocol):
    """Short-lived values with an expiry."""

    def put(self, key: str, value: dict[str, Any], ttl: int) -> None:
        """Store ``value`` for ``ttl`` seconds."""

    def get(self, key: str) -> dict[str, Any] | None:
        """The value, if present and not expired."""

    def take(self, key: str) -> dict[str, Any] | None:
        """Read and delete in one step: the second caller gets None."""

    def claim(self, key: str, ttl: int) -> bool:
        """Mark ``key`` used for ``ttl`` seconds; False if it was already."""

    def take_and_claim(
        self, key: str, claim_key: str | None, ttl: int
    ) -> tuple[dict[str, Any] | None, bool]:
        """:meth:`take` ``key`` and :meth:`claim` ``claim_key`` (if any) together."""


class DatabaseStore:
    """The embedded default: a table, each operation its own short transaction."""

    #: Expired rows (spent nonces mostly) are cleared every this many claims.
    PURGE_EVERY = 200

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions
        self._claims = 0

    def _insert(self, db: Session) -> Any:
        module = postgresql if db.get_bind().dialect.name == "postgresql" else sqlite
        return module.insert(LaunchValue)

    def put(self, key: str, value: dict[str, Any], ttl: int) -> None:
        """Store or replace."""
        expires = utcnow() + timedelta(seconds=ttl)
        with self.sessions.begin() as db:
            stmt = self._insert(db).values(key=key, value=json.dumps(value), expires_at=expires)
            db.execute(
                stmt.on_conflict_do_update(
                    index_elements=["key"],
                    set_={"value": stmt.excluded.value, "expires_at": stmt.excluded.expires_at},
                )
            )

    def get(self, key: str) -> dict[str, Any] | None:
        """Read without consuming."""
        with self.sessions() as db:
            raw = db.scalar(
                sa.select(LaunchValue.value).where(
                    LaunchValue.key == key, LaunchValue.expires_at > utcnow()
                )
            )
        return json.loads(raw) if raw is not None else None

    def take(self, key: str) -> dict[str, Any] | None:
        """``DELETE … RETURNING``: atomic on SQLite and PostgreSQL alike."""
        with self.sessions.begin() as db:
            row = db.execute(
                sa.delete(LaunchValue)
                .where(LaunchValue.key == key)
                .returning(LaunchValue.value, LaunchValue.expires_at)
            ).first()
        if row is None or row.expires_at <= utcnow():
            return None
        return json.loads(row.value)

    def claim(self, key: str, ttl: int) -> bool:
        """Insert if absent (an expired row is cleared first)."""
        self._claims += 1
        if self._claims % self.PURGE_EVERY == 0:
            self.purge()  # Redis expires keys itself; a table needs sweeping
        now = utcnow()
        with self.sessions.begin() as db:
            db.execute(
                sa.delete(LaunchValue).where(LaunchValue.key == key, LaunchValue.expires_at <= now)
            )
            inserted = db.execute(
                self._insert(db)
                .values(key=key, value="1", expires_at=now + timedelta(seconds=ttl))
                .on_conflict_do_nothing(index_elements=["key"])
                .returning(LaunchValue.key)
            ).first()
        return inserted is not None

    def take_and_claim(
        self, key: str, claim_key: str | None, ttl: int
    ) -> tuple[dict[str, Any] | None, bool]:
        """Two short transactions: each step is atomic on its own, which is all it needs."""
        return self.take(key), self.claim(claim_key, ttl) if claim_key else False

    def purge(self) -> int:
        """Delete expired values."""
        with self.sessions.begin() as db:
            return affected(
                db.execute(sa.delete(LaunchValue).where(LaunchValue.expires_at <= utcnow()))
            )


class RedisStore:
    """Production: Redis, with its own expiry and atomic commands."""

    def __init__(self, url: str, prefix: str = "opes:lti:") -> None:
        import redis

        self.redis = redis.Redis.from_url(url)
        self.prefix = prefix

    def put(self, key: str, value: dict[str, Any], ttl: int) -> None:
        """SET with expiry."""
        self.redis.set(self.prefix + key, json.dumps(value), ex=ttl)

    def get(self, key: str) -> dict[str, Any] | None:
        """GET."""
        raw = self.redis.get(self.prefix + key)
        return json.loads(raw) if raw is not None else None

    def take(self, key: str) -> dict[str, Any] | None:
        """GETDEL: one caller gets the value."""
        raw = self.redis.getdel(self.prefix + key)
        return json.loads(raw) if raw is not None else None

    def claim(self, key: str, ttl: int) -> bool:
        """SET NX: one caller succeeds."""
        return bool(self.redis.set(self.prefix + key, b"1", nx=True, ex=ttl))

    def take_and_claim(
        self, key: str, claim_key: str | None, ttl: int
    ) -> tuple[dict[str, Any] | None, bool]:
        """GETDEL and SET NX pipelined: one round trip on the launch's hot path."""
        if claim_key is None:
            return self.take(key), False
        pipe = self.redis.pipeline(transaction=False)
        pipe.getdel(self.prefix + key)
        pipe.set(self.prefix + claim_key, b"1", nx=True, ex=ttl)
        raw, claimed = pipe.execute()
        return (json.loads(raw) if raw is not None else None), bool(claimed)


def make_store(redis_url: str, sessions: sessionmaker[Session]) -> LaunchStore:
    """Redis when ``OPES_REDIS_URL`` is set, the database otherwise."""
    return RedisStore(redis_url) if redis_url else DatabaseStore(sessions)
