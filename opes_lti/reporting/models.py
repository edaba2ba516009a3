"""Reporting tables: the registered sources and the events they sent."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from opes_lti.core.db import Base, JSONType, UTCDateTime
from opes_lti.core.tokens import TokenColumns


class Source(TokenColumns, Base):
    """A sender of events (a tool instance, an Open edX or Moodle site) with its own token.

    Its ``name`` is what its events must carry in their ``source`` field.
    """

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)


class StoredEvent(Base):
    """One accepted outcome event: the raw envelope plus the columns its rollups count by.

    Indexed only where a query reads it (migration 0020 says which): every index is paid
    for by each event accepted.
    """

    __tablename__ = "events"
    __table_args__ = (
        sa.Index("ix_events_organisation_competency", "organisation", "competency"),
        sa.CheckConstraint("phase IN ('pre', 'post')", name="phase_known"),
        sa.CheckConstraint("length(content_hash) = 64", name="content_hash_sha256"),
    )

    #: The sender's UUID: deduplication is by this id.
    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    source_id: Mapped[int] = mapped_column(sa.ForeignKey("sources.id"))
    type: Mapped[str] = mapped_column(sa.String(64))
    schema_version: Mapped[str] = mapped_column(sa.String(16))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: SHA-256 of the canonical envelope: same id and hash is a duplicate, else a conflict.
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    actor_id: Mapped[str] = mapped_column(sa.String(128), index=True)
    actor_role: Mapped[str | None] = mapped_column(sa.String(16))
    organisation: Mapped[str | None] = mapped_column(sa.String(200))
    #: ISTAT region code.
    region: Mapped[str | None] = mapped_column(sa.String(2), index=True)
    platform: Mapped[str] = mapped_column(sa.String(16))
    course: Mapped[str | None] = mapped_column(sa.String(200), index=True)
    activity: Mapped[str | None] = mapped_column(sa.String(200))
    community: Mapped[str | None] = mapped_column(sa.String(200))
    framework: Mapped[str | None] = mapped_column(sa.String(200))
    competency: Mapped[str | None] = mapped_column(sa.String(200))
    phase: Mapped[str | None] = mapped_column(sa.String(4))
    level: Mapped[int | None] = mapped_column(sa.SmallInteger)
    envelope: Mapped[dict[str, Any]] = mapped_column(JSONType)


class Uncounted(Base):
    """An accepted event the dashboard's rollups have not counted yet.

    Written in the transaction that stores the event and deleted in the one that counts
    it, so every event is counted once, whatever stops in between.
    """

    __tablename__ = "events_uncounted"

    seq: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True
    )
    event_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"))


class Traffic(Base):
    """What a source sent in one hour: items per status, and refusals per reason.

    Counters only, never what was sent: an operator sees that a sender's events are
    refused and why, and the reporting database keeps nothing it refused.
    """

    __tablename__ = "source_traffic"

    source_id: Mapped[int] = mapped_column(sa.ForeignKey("sources.id"), primary_key=True)
    #: The hour the requests came in (UTC, on the hour).
    hour: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    #: An item's status, or ``request`` for a request refused whole (malformed JSON...).
    status: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    #: For refusals: the field the first error names (or the request's error code).
    field: Mapped[str] = mapped_column(sa.String(120), primary_key=True)
    #: For refusals: that error's message; ``""`` for the refusals counted together.
    reason: Mapped[str] = mapped_column(sa.String(240), primary_key=True)
    count: Mapped[int] = mapped_column(sa.BigInteger)
    last_at: Mapped[datetime] = mapped_column(UTCDateTime)
