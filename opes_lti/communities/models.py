"""The communities and their members, past ones kept (``left_at``), never deleted."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from opes_lti.core.db import Base, UTCDateTime, utcnow

_ACTIVE = sa.text("left_at IS NULL")


class Community(Base):
    """One community of practice; the same community is reached from every platform."""

    __tablename__ = "communities"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(60), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    theme: Mapped[str] = mapped_column(sa.String(200), default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    space_url: Mapped[str] = mapped_column(sa.String(2000), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Disabled, not deleted: its members and records stay.
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CommunityMember(Base):
    """A person's time in a community: open while ``left_at`` is empty, kept after."""

    __tablename__ = "community_memberships"
    __table_args__ = (
        sa.Index(
            "one_membership_at_a_time",
            "community_id",
            "user",
            unique=True,
            sqlite_where=_ACTIVE,
            postgresql_where=_ACTIVE,
        ),
        sa.CheckConstraint("role IN ('member', 'coordinator')", name="role_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        sa.ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    #: The pseudonymous person, as the face they joined from knows them.
    user: Mapped[str] = mapped_column(sa.String(64), index=True)
    role: Mapped[str] = mapped_column(sa.String(16), default="member")
    organisation: Mapped[str | None] = mapped_column(sa.String(200))
    region: Mapped[str | None] = mapped_column(sa.String(2))
    #: What the member agreed to show the other members.
    shows_organisation: Mapped[bool] = mapped_column(default=False)
    shows_region: Mapped[bool] = mapped_column(default=False)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
