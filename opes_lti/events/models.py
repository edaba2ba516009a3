"""The tool service's outbox table."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from opes_lti.core.db import Base, UTCDateTime, utcnow


class OutboxEntry(Base):
    """An outcome event waiting for (or done with) delivery to the reporting service."""

    __tablename__ = "outbox"
    __table_args__ = (
        # The dispatcher's claim query walks exactly this index.
        sa.Index("ix_outbox_due", "status", "next_attempt_at"),
        sa.CheckConstraint("status IN ('pending', 'delivered', 'rejected')", name="status_known"),
    )

    #: Emission order; batches go out oldest first.
    seq: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    event_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, unique=True)
    event_type: Mapped[str] = mapped_column(sa.String(64))
    #: The canonical JSON text, sent byte for byte, so a resend is a duplicate.
    body: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: While set and in the future, one dispatcher holds the event.
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claim_token: Mapped[str | None] = mapped_column(sa.String(32))
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Why the last attempt failed, or why the event was set aside.
    last_error: Mapped[str | None] = mapped_column(sa.Text)
