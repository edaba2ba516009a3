"""Group exercises as the tool stores them: the system of record for both faces.

An exercise is placed either through LTI (a platform's resource link) or as an XBlock
(a site's block usage); everything below it is keyed by the exercise. Nothing a learner
wrote is deleted by a change of membership or settings: a membership ends (``left_at``),
a file is withdrawn (``withdrawn_at``), a review assignment moves (``withdrawn_at``), so
the history of who was in which group, and what they wrote, stays readable.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from opes_lti.core.db import Base, JSONType, UTCDateTime, utcnow

_ACTIVE = sa.text("left_at IS NULL")
_CURRENT = sa.text("withdrawn_at IS NULL")


def _exercise_fk() -> Mapped[int]:
    return mapped_column(sa.ForeignKey("group_exercises.id", ondelete="CASCADE"), index=True)


def _group_fk() -> Mapped[int]:
    return mapped_column(sa.ForeignKey("exercise_groups.id", ondelete="CASCADE"), index=True)


class Exercise(Base):
    """One placed group exercise and its settings (``groups.settings.dumped``)."""

    __tablename__ = "group_exercises"
    __table_args__ = (
        sa.UniqueConstraint("platform_id", "placement_id", name="one_per_resource_link"),
        sa.UniqueConstraint("site_id", "placement_id", name="one_per_block"),
        sa.CheckConstraint("(platform_id IS NULL) <> (site_id IS NULL)", name="one_origin"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("lti_platforms.id", ondelete="CASCADE")
    )
    site_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tool_sites.id", ondelete="CASCADE"))
    context_id: Mapped[str] = mapped_column(sa.String(500))
    #: The resource link id (LTI) or the block's usage id (XBlock).
    placement_id: Mapped[str] = mapped_column(sa.String(500))
    settings: Mapped[dict[str, Any]] = mapped_column(JSONType)
    #: Names this exercise's settings in a placement's custom parameters, so the copy of
    #: a course (a new resource link carrying the same parameters) starts from them.
    config_key: Mapped[str] = mapped_column(sa.String(36), index=True)
    #: Where it sits, as the outcome events tell it (``events.domain.Context``).
    context: Mapped[dict[str, Any]] = mapped_column(JSONType)
    #: The platform's gradebook endpoint (the AGS claim of a launch), for member scores.
    grade_endpoint: Mapped[str | None] = mapped_column(sa.Text)
    #: Formation is deterministic for this seed, so a re-run explains itself.
    seed: Mapped[int] = mapped_column(default=0)
    formed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Group(Base):
    """A group of one exercise; numbered for people ("Gruppo 3")."""

    __tablename__ = "exercise_groups"
    __table_args__ = (sa.UniqueConstraint("exercise_id", "number", name="numbered_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exercise_id: Mapped[int] = _exercise_fk()
    number: Mapped[int]
    name: Mapped[str] = mapped_column(sa.String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Closed groups take no one new (an instructor's choice, or full by size).
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The Open edX team this group is (the block's teamset), or None.
    team_id: Mapped[str | None] = mapped_column(sa.String(100))


class Membership(Base):
    """A learner's time in a group: open while ``left_at`` is empty, kept after."""

    __tablename__ = "group_memberships"
    __table_args__ = (
        sa.Index(
            "one_group_at_a_time",
            "exercise_id",
            "user",
            unique=True,
            sqlite_where=_ACTIVE,
            postgresql_where=_ACTIVE,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    exercise_id: Mapped[int] = _exercise_fk()
    group_id: Mapped[int] = _group_fk()
    #: The pseudonymous learner.
    user: Mapped[str] = mapped_column(sa.String(64))
    #: What formation mixes by, as known when the learner joined (shown to the group).
    organisation: Mapped[str | None] = mapped_column(sa.String(200))
    region: Mapped[str | None] = mapped_column(sa.String(10))
    community: Mapped[str | None] = mapped_column(sa.String(64))
    #: The platform's own user id (LTI ``sub``), for its gradebook only; never shown.
    subject: Mapped[str | None] = mapped_column(sa.String(500))
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Who placed them: "formation", "late", "choice", "import", or an instructor.
    placed_by: Mapped[str] = mapped_column(sa.String(64))
    #: Who ended the membership, and why (a move, a removal, leaving).
    ended_by: Mapped[str | None] = mapped_column(sa.String(64))
    reason: Mapped[str] = mapped_column(sa.String(500), default="")


class DraftVersion(Base):
    """One saved version of a group's shared text; versions are never rewritten."""

    __tablename__ = "group_drafts"
    __table_args__ = (sa.UniqueConstraint("group_id", "version", name="versioned_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = _group_fk()
    version: Mapped[int]
    text: Mapped[str] = mapped_column(sa.Text)
    author: Mapped[str] = mapped_column(sa.String(64))
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class GroupFile(Base):
    """A file a member uploaded; the bytes live in the file store under ``key``."""

    __tablename__ = "group_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = _group_fk()
    key: Mapped[str] = mapped_column(sa.String(100), unique=True)
    filename: Mapped[str] = mapped_column(sa.String(255))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    uploaded_by: Mapped[str] = mapped_column(sa.String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Submission(Base):
    """What a group handed in, once; an instructor's own grade of it, if any."""

    __tablename__ = "group_submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(
        sa.ForeignKey("exercise_groups.id", ondelete="CASCADE"), unique=True
    )
    #: The draft version handed in (text deliverables).
    version: Mapped[int | None]
    text: Mapped[str] = mapped_column(sa.Text, default="")
    link: Mapped[str] = mapped_column(sa.String(2000), default="")
    file_id: Mapped[int | None] = mapped_column(sa.ForeignKey("group_files.id"))
    submitted_by: Mapped[str] = mapped_column(sa.String(64))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    late: Mapped[bool] = mapped_column(default=False)
    #: The members at submission: the ones graded.
    members: Mapped[list[str]] = mapped_column(JSONType, default=list)
    #: The instructor's rubric choices, score and comment, when they grade it themselves.
    staff_choices: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    staff_score: Mapped[float | None]
    staff_comment: Mapped[str] = mapped_column(sa.Text, default="")
    staff_by: Mapped[str | None] = mapped_column(sa.String(64))


class ReviewAssignment(Base):
    """One group asked to review another's submission; moved, not deleted."""

    __tablename__ = "group_reviews"
    __table_args__ = (
        sa.Index(
            "one_current_review",
            "reviewer_group_id",
            "reviewed_group_id",
            unique=True,
            sqlite_where=_CURRENT,
            postgresql_where=_CURRENT,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    exercise_id: Mapped[int] = _exercise_fk()
    reviewer_group_id: Mapped[int] = mapped_column(
        sa.ForeignKey("exercise_groups.id", ondelete="CASCADE")
    )
    reviewed_group_id: Mapped[int] = mapped_column(
        sa.ForeignKey("exercise_groups.id", ondelete="CASCADE")
    )
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: {criterion code: level index}
    choices: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    score: Mapped[float | None]
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    reviewed_by: Mapped[str | None] = mapped_column(sa.String(64))


class PeerRating(Base):
    """A member's mark for a member of their own group (WebPA), never shown to others."""

    __tablename__ = "group_peer_ratings"
    __table_args__ = (sa.UniqueConstraint("group_id", "rater", "rated", name="rated_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = _group_fk()
    rater: Mapped[str] = mapped_column(sa.String(64))
    rated: Mapped[str] = mapped_column(sa.String(64))
    mark: Mapped[float]
    rated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class MemberGrade(Base):
    """A member's grade as computed, with its parts, and the instructor's override."""

    __tablename__ = "group_member_grades"
    __table_args__ = (sa.UniqueConstraint("exercise_id", "user", name="graded_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exercise_id: Mapped[int] = _exercise_fk()
    group_id: Mapped[int] = _group_fk()
    user: Mapped[str] = mapped_column(sa.String(64))
    computed: Mapped[float | None]
    factor: Mapped[float | None]
    parts: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    override: Mapped[float | None]
    reason: Mapped[str] = mapped_column(sa.String(1000), default="")
    overridden_by: Mapped[str | None] = mapped_column(sa.String(64))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def final(self) -> float | None:
        """The grade that counts: the override when there is one."""
        return self.override if self.override is not None else self.computed


class Visitor(Base):
    """A learner who opened an exercise's block: the XBlock's roster where teams are off.

    The LTI face has the platform's roster (NRPS) or its launch log for this; a block
    has only who came, with what their OPES profile says groups mix by.
    """

    __tablename__ = "group_visitors"
    __table_args__ = (sa.UniqueConstraint("exercise_id", "user", name="seen_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exercise_id: Mapped[int] = _exercise_fk()
    user: Mapped[str] = mapped_column(sa.String(64))
    organisation: Mapped[str | None] = mapped_column(sa.String(200))
    region: Mapped[str | None] = mapped_column(sa.String(10))
    #: The platform's own id for them (Open edX's anonymous user id, like LTI's ``sub``):
    #: not a name, but the LMS can turn it into one for the instructors.
    subject: Mapped[str | None] = mapped_column(sa.String(500))
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
