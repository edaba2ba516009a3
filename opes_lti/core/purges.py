"""The record of every purge: shared data is deleted only on purpose, and it shows.

Removing a shared thing (a platform, later a group or a community) disables it and keeps
its records. Deleting them is a separate command that names what it will delete, asks,
and leaves one of these rows behind.
"""

from __future__ import annotations

import getpass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from opes_lti.core.db import Base, JSONType, UTCDateTime, utcnow


class PurgeRecord(Base):
    """One purge: what was deleted, how many rows of each kind, by whom, when."""

    __tablename__ = "purge_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: What kind of thing was purged ("platform").
    kind: Mapped[str] = mapped_column(sa.String(40))
    #: Which one, in words a person can check later ("Moodle Puglia: issuer / client id").
    subject: Mapped[str] = mapped_column(sa.String(1000))
    #: Rows deleted, by table.
    deleted: Mapped[dict[str, Any]] = mapped_column(JSONType)
    #: The operating-system account that ran the command.
    actor: Mapped[str] = mapped_column(sa.String(200))
    purged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def record(db: Session, kind: str, subject: str, deleted: dict[str, int]) -> PurgeRecord:
    """Write the purge's record in the caller's transaction (so it exists iff the purge)."""
    try:
        actor = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (a container's arbitrary uid)
        actor = "unknown"
    entry = PurgeRecord(kind=kind, subject=subject[:1000], deleted=deleted, actor=actor[:200])
    db.add(entry)
    db.flush()
    return entry


def history(db: Session, kind: str | None = None) -> list[PurgeRecord]:
    """Purges, newest first."""
    stmt = sa.select(PurgeRecord).order_by(PurgeRecord.id.desc())
    if kind:
        stmt = stmt.where(PurgeRecord.kind == kind)
    return list(db.scalars(stmt))
