"""The demo course's own records: what is placed in it, and the scores sent back."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from opes_lti.core.db import Base, JSONType, UTCDateTime, utcnow


class DemoItem(Base):
    """An activity placed in the demo course (shipped, or through Deep Linking)."""

    __tablename__ = "demo_course_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(300))
    #: The custom parameters the platform sends with every launch of it.
    custom: Mapped[dict[str, Any]] = mapped_column(JSONType)
    #: The gradebook column's maximum, when the item is graded.
    score_maximum: Mapped[float | None] = mapped_column(sa.Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DemoScore(Base):
    """A score the tool posted to the demo course's gradebook (AGS)."""

    __tablename__ = "demo_course_scores"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("demo_course_items.id"), index=True)
    #: The demo person (their login hint).
    person: Mapped[str] = mapped_column(sa.String(40))
    score_given: Mapped[float | None] = mapped_column(sa.Float)
    score_maximum: Mapped[float | None] = mapped_column(sa.Float)
    activity_progress: Mapped[str] = mapped_column(sa.String(40))
    grading_progress: Mapped[str] = mapped_column(sa.String(40))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
