"""The communities, their members and their practices; past ones kept, never deleted."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, mapped_column

from opes_lti.core.db import Base, JSONType, UTCDateTime, utcnow

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


class Practice(Base):
    """A practice's sheet, where it is in review, and what the search reads.

    Withdrawn, not deleted: what a community shared stays on record.
    """

    __tablename__ = "practices"
    __table_args__ = (
        sa.CheckConstraint(
            "state IN ('draft', 'submitted', 'published', 'returned', 'withdrawn')",
            name="state_known",
        ),
        sa.Index("ix_practices_library", "community_id", "state", "published_at"),
        # PostgreSQL's own Italian text search (stemming); SQLite searches ``stems``.
        sa.Index("ix_practices_search", "search_vector", postgresql_using="gin").ddl_if(
            dialect="postgresql"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The practice in events and exports: the same on every face and platform.
    ref: Mapped[str] = mapped_column(sa.String(32), unique=True)
    community_id: Mapped[int] = mapped_column(
        sa.ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    #: The pseudonymous author.
    author: Mapped[str] = mapped_column(sa.String(64), index=True)
    state: Mapped[str] = mapped_column(sa.String(16), default="draft")
    title: Mapped[str] = mapped_column(sa.String(300))
    #: The whole sheet (:class:`~opes_lti.communities.practice.PracticeSpec`) as JSON.
    sheet: Mapped[dict[str, Any]] = mapped_column(JSONType)
    region: Mapped[str | None] = mapped_column(sa.String(2))
    #: The first organisation named, for the search's filter.
    organisation: Mapped[str | None] = mapped_column(sa.String(200))
    #: Themes joined by spaces with one at each end (" giovani inclusione "), for LIKE.
    themes: Mapped[str] = mapped_column(sa.String(700), default=" ")
    #: Folded text for PostgreSQL's search, and its Italian stems for SQLite's.
    search_text: Mapped[str] = mapped_column(sa.Text, default="")
    stems: Mapped[str] = mapped_column(sa.Text, default=" ")
    #: On PostgreSQL, ``to_tsvector('italian', search_text)`` kept as it is written: a
    #: search that recomputed it per row took 0.5 ms a practice. Empty on SQLite.
    search_vector: Mapped[Any] = mapped_column(
        postgresql.TSVECTOR().with_variant(sa.Text, "sqlite"), nullable=True
    )
    #: The coordinator's comment when they returned it.
    comment: Mapped[str] = mapped_column(sa.String(2000), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PracticeChange(Base):
    """One step in a practice's history: who moved or edited it, and the sheet then."""

    __tablename__ = "practice_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(
        sa.ForeignKey("practices.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    by: Mapped[str] = mapped_column(sa.String(64))
    move: Mapped[str] = mapped_column(sa.String(16))
    state: Mapped[str] = mapped_column(sa.String(16))
    comment: Mapped[str] = mapped_column(sa.String(2000), default="")
    sheet: Mapped[dict[str, Any]] = mapped_column(JSONType)


class PracticeScore(Base):
    """A coordinator's scores of a practice, one set per coordinator (a later one replaces)."""

    __tablename__ = "practice_scores"

    practice_id: Mapped[int] = mapped_column(
        sa.ForeignKey("practices.id", ondelete="CASCADE"), primary_key=True
    )
    reviewer: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    scores: Mapped[dict[str, Any]] = mapped_column(JSONType)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PracticeFile(Base):
    """A file attached to a practice; withdrawn, not deleted."""

    __tablename__ = "practice_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(
        sa.ForeignKey("practices.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int]
    data: Mapped[bytes] = mapped_column(sa.LargeBinary)
    added_by: Mapped[str] = mapped_column(sa.String(64))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Meeting(Base):
    """One of a community's meetings; cancelled, not deleted."""

    __tablename__ = "meetings"
    __table_args__ = (
        sa.UniqueConstraint("community_id", "sequence", name="one_number_per_meeting"),
        sa.CheckConstraint("mode IN ('online', 'in_person')", name="mode_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The meeting in events and exports: the same on every face and platform.
    ref: Mapped[str] = mapped_column(sa.String(32), unique=True)
    community_id: Mapped[int] = mapped_column(
        sa.ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    #: Its number in the community: 1 for the first scheduled.
    sequence: Mapped[int]
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    minutes: Mapped[int]
    mode: Mapped[str] = mapped_column(sa.String(16))
    place: Mapped[str] = mapped_column(sa.String(300), default="")
    link: Mapped[str] = mapped_column(sa.String(2000), default="")
    agenda: Mapped[str] = mapped_column(sa.Text, default="")
    scheduled_by: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The check-in code while it is open, and when it closes.
    code: Mapped[str | None] = mapped_column(sa.String(8))
    code_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Attendance(Base):
    """A person's attendance at a meeting as it stands now (its changes are kept apart)."""

    __tablename__ = "meeting_attendance"
    __table_args__ = (
        sa.CheckConstraint(
            "status IN ('present', 'late', 'excused', 'absent')", name="status_known"
        ),
    )

    meeting_id: Mapped[int] = mapped_column(
        sa.ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True
    )
    #: The membership it is about (the person as that community knows them).
    member_id: Mapped[int] = mapped_column(
        sa.ForeignKey("community_memberships.id", ondelete="CASCADE"), primary_key=True
    )
    status: Mapped[str] = mapped_column(sa.String(16))
    minutes: Mapped[int] = mapped_column(default=0)
    how: Mapped[str] = mapped_column(sa.String(16))
    recorded_by: Mapped[str] = mapped_column(sa.String(64))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AttendanceChange(Base):
    """Each attendance as it was recorded, oldest first: a correction never erases one."""

    __tablename__ = "attendance_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        sa.ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[int] = mapped_column(
        sa.ForeignKey("community_memberships.id", ondelete="CASCADE")
    )
    status: Mapped[str] = mapped_column(sa.String(16))
    minutes: Mapped[int] = mapped_column(default=0)
    how: Mapped[str] = mapped_column(sa.String(16))
    by: Mapped[str] = mapped_column(sa.String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MeetingAnswer(Base):
    """A member's answer to a meeting's invitation: going or not (never attendance)."""

    __tablename__ = "meeting_answers"
    __table_args__ = (sa.CheckConstraint("answer IN ('going', 'not_going')", name="answer_known"),)

    meeting_id: Mapped[int] = mapped_column(
        sa.ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(
        sa.ForeignKey("community_memberships.id", ondelete="CASCADE"), primary_key=True
    )
    answer: Mapped[str] = mapped_column(sa.String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Registered(Base):
    """A partnership or an intervention a member recorded; withdrawn, never deleted."""

    __tablename__ = "community_records"
    __table_args__ = (
        sa.CheckConstraint("kind IN ('partnership', 'intervention')", name="kind_known"),
        sa.CheckConstraint(
            "state IN ('submitted', 'confirmed', 'returned', 'withdrawn')", name="state_known"
        ),
        sa.CheckConstraint(
            "status IN ('', 'planned', 'running', 'completed')", name="status_known"
        ),
        sa.Index("ix_community_records_listed", "community_id", "kind", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The record in events and exports: the same on every face and platform.
    ref: Mapped[str] = mapped_column(sa.String(32), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    community_id: Mapped[int] = mapped_column(
        sa.ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    #: The pseudonymous member who recorded it.
    author: Mapped[str] = mapped_column(sa.String(64), index=True)
    state: Mapped[str] = mapped_column(sa.String(16), default="submitted")
    #: An intervention's stage (planned, running, completed); "" for a partnership.
    status: Mapped[str] = mapped_column(sa.String(16), default="")
    title: Mapped[str] = mapped_column(sa.String(300))
    #: The whole record (:mod:`~opes_lti.communities.partnership`'s spec) as JSON.
    sheet: Mapped[dict[str, Any]] = mapped_column(JSONType)
    #: The coordinator's comment when they returned it.
    comment: Mapped[str] = mapped_column(sa.String(2000), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_by: Mapped[str | None] = mapped_column(sa.String(64))


class RegisteredChange(Base):
    """One step in a record's history: who moved or edited it, and the record then."""

    __tablename__ = "community_record_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(
        sa.ForeignKey("community_records.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    by: Mapped[str] = mapped_column(sa.String(64))
    move: Mapped[str] = mapped_column(sa.String(16))
    state: Mapped[str] = mapped_column(sa.String(16))
    status: Mapped[str] = mapped_column(sa.String(16), default="")
    comment: Mapped[str] = mapped_column(sa.String(2000), default="")
    sheet: Mapped[dict[str, Any]] = mapped_column(JSONType)
