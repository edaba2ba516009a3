"""The learner profile table, one row per pseudonymous learner."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from opes_lti.core.db import Base, UTCDateTime, utcnow


class LearnerProfile(Base):
    """What a learner said about themselves; every field may be left empty."""

    __tablename__ = "learner_profiles"
    __table_args__ = (
        sa.CheckConstraint(
            "role IS NULL OR role IN ('manager', 'volunteer', 'staff')", name="role_known"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The pseudonym of launches (sha256 of issuer and sub).
    user: Mapped[str] = mapped_column(sa.String(64), unique=True)
    role: Mapped[str | None] = mapped_column(sa.String(20))
    organisation: Mapped[str | None] = mapped_column(sa.String(200))
    #: ISTAT region code.
    region: Mapped[str | None] = mapped_column(sa.String(2))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
