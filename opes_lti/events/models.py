"""The tool service's outbox table."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from opes_lti.core.db import Base, UTCDateTime
from opes_lti.core.queue import QueueRow


class OutboxEntry(QueueRow, Base):
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
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
