"""Durable work queues in a table: rows claimed with a lease, settled one by one.

The event outbox and the grade queue both use this: claim a batch no other worker holds,
do the work, then record per row what happened, retrying later only while the lease is
still ours.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from opes_lti.core.db import UTCDateTime, utcnow


class QueueRow:
    """Columns every queued row carries (a declarative mixin)."""

    #: pending, then a terminal state the queue names (delivered/rejected, sent/failed).
    status: Mapped[str] = mapped_column(sa.String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: While set and in the future, one worker holds the row.
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claim_token: Mapped[str | None] = mapped_column(sa.String(32))
    #: Why the last attempt failed, or why the row was set aside.
    last_error: Mapped[str | None] = mapped_column(sa.Text)


def claim_due(
    db: Session, model: Any, key: Any, limit: int, lease: timedelta, now: datetime, *columns: Any
) -> tuple[str, list[Any]]:
    """Reserve up to ``limit`` due rows with one ``UPDATE … RETURNING``, oldest ``key`` first.

    On PostgreSQL the inner ``SELECT … FOR UPDATE SKIP LOCKED`` lets concurrent workers
    take disjoint batches without waiting on each other; SQLite runs the single statement
    under its write lock. The lease then keeps the rows ours until we settle them, or until
    it runs out because we died.
    """
    token = secrets.token_hex(16)
    due = (
        sa.select(key)
        .where(
            model.status == "pending",
            model.next_attempt_at <= now,
            sa.or_(model.claimed_until.is_(None), model.claimed_until < now),
        )
        .order_by(key)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    stmt = (
        sa.update(model)
        .where(key.in_(due.scalar_subquery()))
        .values(claimed_until=now + lease, claim_token=token)
        .returning(key, *columns)
    )
    return token, sorted(db.execute(stmt).all())


def settle(
    db: Session,
    model: Any,
    where: Any,
    token: str,
    *,
    status: str | None = None,
    reason: str | None = None,
    retry_at: datetime | None = None,
    **values: Any,
) -> None:
    """Release one claimed row: to a terminal ``status``, or back to pending at ``retry_at``.

    A terminal outcome is recorded whoever holds the row now (it is true regardless); a
    retry only while ``token`` still holds it, so a worker whose lease ran out cannot
    disturb the one that took over.
    """
    conditions = [where]
    if status is not None:
        values |= {"status": status, "last_error": reason}
    else:
        conditions.append(model.claim_token == token)
        values |= {
            "attempts": model.attempts + 1,
            "next_attempt_at": retry_at or utcnow(),
            "last_error": reason,
        }
    db.execute(
        sa.update(model).where(*conditions).values(claimed_until=None, claim_token=None, **values)
    )
