"""Rollup tables, which the dashboard reads instead of the raw events.

A page then costs the same at ten thousand and at ten million events.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from opes_lti.core.db import Base, JSONType, UTCDateTime

#: The columns a cell is keyed by, besides its grain and competence (see grains.py).
CELL_DIMENSIONS = ("region", "organisation", "role", "course", "platform", "community", "month")
SUM_COLUMNS = (
    "n",
    "n_at_max",
    "sum_pre",
    "sum_post",
    "sum_diff_sq",
    "sum_gain",
    "n_target",
    "n_reached",
)
_BIG = sa.BigInteger().with_variant(sa.Integer, "sqlite")
#: Room left in each page of the tables counting rewrites in place (migration 0016): an
#: update of unindexed sums then stays in its page (a HOT update) and touches no index,
#: which halved the cells' upsert.
ROOMY = {"postgresql_with": {"fillfactor": 70}}


class GapPair(Base):
    """One learner's (or organisation's) latest answers on one competence in one course."""

    __tablename__ = "gap_pairs"
    __table_args__ = (ROOMY,)

    #: A digest of (scope, subject, framework, competency, course): one lookup per answer.
    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    scope: Mapped[str] = mapped_column(sa.String(12))
    #: The learner's pseudonymous id, or the organisation's id for its own self-assessment.
    subject: Mapped[str] = mapped_column(sa.String(200), index=True)
    framework: Mapped[str] = mapped_column(sa.String(200))
    area: Mapped[str] = mapped_column(sa.String(200))
    competency: Mapped[str] = mapped_column(sa.String(200))
    course: Mapped[str] = mapped_column(sa.String(200))
    #: The latest pre and post answers (``pairing.Answered`` fields), as JSON.
    state: Mapped[dict[str, Any]] = mapped_column(JSONType)


class GapCell(Base):
    """The sums of every matched pair sharing one grain's dimensions (``gain.Sums``).

    A dimension outside the cell's grain holds '*'; one the answers did not give holds ''.
    """

    __tablename__ = "gap_cells"
    __table_args__ = (
        sa.UniqueConstraint(
            "grain", "scope", "framework", "area", "competency", *CELL_DIMENSIONS,
            name="uq_gap_cells_key",
        ),
        ROOMY,
    )  # fmt: skip

    id: Mapped[int] = mapped_column(_BIG, primary_key=True)
    grain: Mapped[int] = mapped_column(sa.SmallInteger)
    scope: Mapped[str] = mapped_column(sa.String(12))
    framework: Mapped[str] = mapped_column(sa.String(200))
    area: Mapped[str] = mapped_column(sa.String(200))
    competency: Mapped[str] = mapped_column(sa.String(200))
    region: Mapped[str] = mapped_column(sa.String(2))
    organisation: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[str] = mapped_column(sa.String(16))
    course: Mapped[str] = mapped_column(sa.String(200))
    platform: Mapped[str] = mapped_column(sa.String(16))
    community: Mapped[str] = mapped_column(sa.String(200))
    month: Mapped[str] = mapped_column(sa.String(7))
    n: Mapped[int] = mapped_column(default=0)
    n_at_max: Mapped[int] = mapped_column(default=0)
    sum_pre: Mapped[int] = mapped_column(_BIG, default=0)
    sum_post: Mapped[int] = mapped_column(_BIG, default=0)
    sum_diff_sq: Mapped[int] = mapped_column(_BIG, default=0)
    sum_gain: Mapped[float] = mapped_column(sa.Float, default=0.0)
    n_target: Mapped[int] = mapped_column(default=0)
    n_reached: Mapped[int] = mapped_column(default=0)


class Membership(Base):
    """A learner's membership of a community of practice (from community.joined)."""

    __tablename__ = "community_members"

    learner: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    community: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RollupMark(Base):
    """How much the rollups have counted, and when they last did."""

    __tablename__ = "rollup_mark"

    id: Mapped[int] = mapped_column(primary_key=True, default=1)
    counted: Mapped[int] = mapped_column(_BIG, default=0)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Fact(Base):
    """One distinct thing the overview counts: a learner, a meeting held, a practice...

    Keyed by what it is, so an event sent again or a second attendee adds nothing; its
    dimensions are those of the earliest event that showed it, whatever order events come.
    """

    __tablename__ = "facts"
    __table_args__ = (
        sa.Index("ix_facts_kind_month", "kind", "month"),
        sa.Index("ix_facts_kind_region", "kind", "region"),
        sa.Index("ix_facts_kind_learner", "kind", "learner"),
    )

    kind: Mapped[str] = mapped_column(sa.String(24), primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(420), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    month: Mapped[str] = mapped_column(sa.String(7))
    learner: Mapped[str] = mapped_column(sa.String(200))
    region: Mapped[str] = mapped_column(sa.String(2))
    organisation: Mapped[str] = mapped_column(sa.String(200))
    community: Mapped[str] = mapped_column(sa.String(200))
    course: Mapped[str] = mapped_column(sa.String(200))
    platform: Mapped[str] = mapped_column(sa.String(16))
    #: A kind's variant: a meeting's mode, a partner's kind.
    variant: Mapped[str] = mapped_column(sa.String(24))
    #: What a registry lists (a practice's title, a partnership's partner...).
    detail: Mapped[dict[str, Any]] = mapped_column(JSONType)


#: What a fact's count is kept by: every column the overview filters or groups on.
FACT_CELL_KEY = ("kind", "variant", "month", "region", "organisation", "course", "platform",
                 "community")  # fmt: skip


class FactCell(Base):
    """How many facts share one kind, variant, month and place: what the overview sums.

    Kept by database triggers on ``facts`` (migration 0014), so every path that inserts,
    moves (an earlier event found later) or erases a fact keeps it exact, and the
    overview reads a number of rows bounded by the programme's shape, not by learners.
    """

    __tablename__ = "fact_cells"
    __table_args__ = (sa.UniqueConstraint(*FACT_CELL_KEY, name="uq_fact_cells_key"), ROOMY)

    id: Mapped[int] = mapped_column(_BIG, primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(24))
    variant: Mapped[str] = mapped_column(sa.String(24))
    month: Mapped[str] = mapped_column(sa.String(7))
    region: Mapped[str] = mapped_column(sa.String(2))
    organisation: Mapped[str] = mapped_column(sa.String(200))
    course: Mapped[str] = mapped_column(sa.String(200))
    platform: Mapped[str] = mapped_column(sa.String(16))
    community: Mapped[str] = mapped_column(sa.String(200))
    n: Mapped[int] = mapped_column(_BIG, default=0)


class HandoffUse(Base):
    """An instructor's token from the tool, taken once (a replay is refused)."""

    __tablename__ = "dashboard_handoffs"

    jti: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    #: Kept until the token would have expired anyway, then forgotten.
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
