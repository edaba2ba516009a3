"""One answer set per learner and placement of the questionnaire."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from opes_lti.core.db import Base, JSONType, UTCDateTime, utcnow
from opes_lti.lti.models import PlacementColumns


class AnswerSet(PlacementColumns, Base):
    """A learner's answers in one placement (resource link), kept as they go."""

    __tablename__ = "selfassessment_answers"
    __table_args__ = (
        sa.UniqueConstraint("platform_id", "resource_link_id", "user", name="one_per_placement"),
        sa.CheckConstraint("phase IN ('pre', 'post')", name="phase_known"),
        sa.Index("ix_selfassessment_course", "platform_id", "context_id", "framework_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    phase: Mapped[str] = mapped_column(sa.String(4))
    framework_id: Mapped[str] = mapped_column(sa.String(64))
    framework_version: Mapped[str] = mapped_column(sa.String(64))
    #: {competence code: level}
    answers: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    #: The learner's role when they submitted (targets depend on it).
    role: Mapped[str | None] = mapped_column(sa.String(20))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
