"""Failed sign-ins slow the next ones down, per account and per client address.

A few mistakes cost nothing. Beyond them every failure locks the account (and,
separately, the address it came from) for a time that doubles with each failure, up
to a ceiling, during which no password is even checked: guessing from one address or
at one account gets slower and slower, and stops being worth it. The count lives in
the database, so every worker sees it, and it is forgotten after a quiet window or at
the owner's next successful sign-in, so the owner is never locked out for longer
than the ceiling after the attacker stops.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from opes_lti.accounts.models import SignInThrottle
from opes_lti.core.db import utcnow

#: Failures allowed before any lock.
FREE_FAILURES = 5
#: The longest lock, in seconds: the owner's worst wait once the attacker stops.
MAX_LOCK_SECONDS = 15 * 60
#: A key with no failure for this long starts again from zero.
QUIET_WINDOW = timedelta(hours=1)


def lock_seconds(failures: int, first_lock: float) -> float:
    """How long ``failures`` failures in a row lock a key: 0, then doubling to the ceiling."""
    if failures < FREE_FAILURES:
        return 0.0
    return min(first_lock * 2 ** min(failures - FREE_FAILURES, 30), MAX_LOCK_SECONDS)


def keys(username: str, address: str | None) -> list[str]:
    """The keys one attempt counts against."""
    return [f"account:{username.strip().lower()[:100]}", f"address:{address or 'unknown'}"]


def wait_seconds(db: Session, names: list[str], now: datetime | None = None) -> float:
    """Seconds before an attempt under these keys may be checked (0: go ahead)."""
    now = now or utcnow()
    until = db.scalar(
        sa.select(sa.func.max(SignInThrottle.locked_until)).where(SignInThrottle.key.in_(names))
    )
    if until is None:
        return 0.0
    if until.tzinfo is None:  # SQLite hands back naive UTC
        until = until.replace(tzinfo=now.tzinfo)
    return max(0.0, (until - now).total_seconds())


def record_failure(
    db: Session, names: list[str], first_lock: float, now: datetime | None = None
) -> None:
    """Count a failed attempt against each key, and lock those past their free failures.

    One statement per key, atomic under concurrent workers: the count is incremented
    where it is stored, never read, changed and written back.
    """
    now = now or utcnow()
    module = postgresql if db.get_bind().dialect.name == "postgresql" else sqlite
    table = SignInThrottle.__table__
    for name in sorted(names):  # a fixed order: two workers never wait on each other
        insert = module.insert(table).values(key=name, failures=1, last_failure_at=now)
        stale = table.c.last_failure_at < now - QUIET_WINDOW
        failures = db.scalar(
            insert.on_conflict_do_update(
                index_elements=["key"],
                set_={
                    "failures": sa.case((stale, 1), else_=table.c.failures + 1),
                    "last_failure_at": now,
                },
            ).returning(table.c.failures)
        )
        seconds = lock_seconds(int(failures or 1), first_lock)
        if seconds:
            db.execute(
                sa.update(SignInThrottle)
                .where(SignInThrottle.key == name)
                .values(locked_until=now + timedelta(seconds=seconds))
            )


def forget(db: Session, names: list[str]) -> None:
    """A successful sign-in: these keys start again from zero."""
    db.execute(sa.delete(SignInThrottle).where(SignInThrottle.key.in_(names)))
