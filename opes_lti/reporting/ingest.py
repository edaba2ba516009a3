"""Ingestion: validate a batch item by item, store the new events, classify the rest."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any, Literal

import sqlalchemy as sa
from psycopg.types.json import Jsonb
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from opes_lti.core.db import utcnow
from opes_lti.events.domain import (
    FieldError,
    InvalidEvent,
    OutcomeEvent,
    SelfAssessmentSubmitted,
    canonical,
    parse_event,
)
from opes_lti.reporting.models import StoredEvent, Uncounted
from opes_lti.reporting.sources import Caller

Status = Literal["accepted", "duplicate", "conflict", "rejected"]


@dataclass
class ItemResult:
    """What happened to one item of a batch."""

    index: int
    id: str | None
    status: Status
    errors: list[FieldError] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The item as the API answers it."""
        data: dict[str, Any] = {"index": self.index, "id": self.id, "status": self.status}
        if self.errors:
            data["errors"] = [e.model_dump() for e in self.errors]
        return data


def _raw_id(item: Any) -> str | None:
    if isinstance(item, dict) and isinstance(item.get("id"), str):
        return item["id"][:100]
    return None


def _row(
    event: OutcomeEvent, digest: str, canonical: dict[str, Any], source: Caller, now: datetime
) -> dict[str, Any]:
    payload = event.payload
    row: dict[str, Any] = {
        "id": event.id,
        "source_id": source.id,
        "type": event.type,
        "schema_version": event.schema_version,
        "occurred_at": event.occurred_at,
        "received_at": now,
        "content_hash": digest,
        "actor_id": event.actor.id,
        "actor_role": event.actor.role,
        "organisation": event.actor.organisation,
        "region": event.actor.region,
        "platform": event.context.platform,
        "course": event.context.course_key(),
        "activity": event.context.activity,
        "community": getattr(payload, "community", None),
        "framework": None,
        "competency": None,
        "phase": None,
        "level": None,
        "envelope": canonical,
    }
    if isinstance(event, SelfAssessmentSubmitted):
        answer = event.payload
        row |= {
            "framework": answer.framework,
            "competency": answer.competency,
            "phase": answer.phase,
            "level": answer.level,
        }
        if answer.scope == "organisation":
            row["organisation"] = answer.organisation
    return row


@cache
def _unnest_insert() -> sa.TextClause:
    """PostgreSQL: all rows as one array per column, expanded by ``unnest``.

    A multi-row ``VALUES`` has 20 placeholders a row, which psycopg re-parses for every
    batch (its statement cache stops at 50 parameters): that parsing alone cost more than
    half of a 500-event request. Twenty array parameters make a short statement that is
    parsed once.
    """
    table = StoredEvent.__table__
    dialect = postgresql.dialect()
    names = ", ".join(c.name for c in table.columns)
    arrays = ", ".join(
        f"CAST(:{c.name} AS {c.type.compile(dialect=dialect)}[])" for c in table.columns
    )
    return sa.text(  # names come from our own table definition, values are bound
        f"INSERT INTO {StoredEvent.__tablename__} ({names}) SELECT * FROM unnest({arrays}) "  # noqa: S608
        "ON CONFLICT (id) DO NOTHING RETURNING id"
    )


def _insert(db: Session, rows: list[dict[str, Any]]) -> set[uuid.UUID]:
    """Insert the rows that are new; return the ids actually inserted.

    In id order: two batches holding the same ids in different orders then take their
    locks in the same order, and cannot deadlock each other.
    """
    rows = sorted(rows, key=lambda row: row["id"])
    connection = db.connection()
    if connection.dialect.name == "postgresql":
        columns = {c.name: [row[c.name] for row in rows] for c in StoredEvent.__table__.columns}
        columns["envelope"] = [Jsonb(envelope) for envelope in columns["envelope"]]
        return set(connection.scalars(_unnest_insert(), columns))
    # Through the connection, not the ORM session: the rows are plain dicts and the ORM's
    # bulk path would only add cost per request.
    stmt = sqlite.insert(StoredEvent).on_conflict_do_nothing(index_elements=["id"])
    return set(connection.scalars(stmt.returning(StoredEvent.id), rows))


def _to_count(db: Session, ids: set[uuid.UUID]) -> None:
    """Queue the new events for the dashboard's rollups, in the transaction storing them."""
    connection = db.connection()
    ordered = sorted(ids)
    if connection.dialect.name == "postgresql":
        connection.execute(
            sa.text(
                "INSERT INTO events_uncounted (event_id) "
                "SELECT unnest(CAST(:ids AS uuid[])) ORDER BY 1"
            ),
            {"ids": ordered},
        )
    else:
        connection.execute(sa.insert(Uncounted), [{"event_id": i} for i in ordered])


def ingest(
    db: Session, source: Caller, items: list[Any], now: datetime | None = None
) -> list[ItemResult]:
    """Store every valid new event of ``items`` and say, per item, what became of it.

    Each event is one row, so an item is either stored whole or not at all; a concurrent
    request carrying the same id is settled by the primary key (``ON CONFLICT DO NOTHING``),
    not by a read-then-write race. The caller commits.
    """
    now = now or utcnow()
    results: list[ItemResult | None] = [None] * len(items)
    pending: dict[uuid.UUID, tuple[int, str]] = {}
    rows: list[dict[str, Any]] = []
    for index, item in enumerate(items):
        try:
            event = parse_event(item)
        except InvalidEvent as exc:
            results[index] = ItemResult(index, _raw_id(item), "rejected", exc.errors)
            continue
        if event.source != source.name:
            message = f"events sent with this token must name source {source.name!r}"
            results[index] = ItemResult(
                index, str(event.id), "rejected", [FieldError(field="source", message=message)]
            )
            continue
        canonical_data, digest = canonical(event)
        if event.id in pending:
            first = pending[event.id]
            same = first[1] == digest
            results[index] = ItemResult(
                index,
                str(event.id),
                "duplicate" if same else "conflict",
                [] if same else [_conflict("the same batch has this id with other content")],
            )
            continue
        pending[event.id] = (index, digest)
        rows.append(_row(event, digest, canonical_data, source, now))

    inserted = _insert(db, rows) if rows else set()
    if inserted:
        _to_count(db, inserted)
    clashes = [event_id for event_id in pending if event_id not in inserted]
    existing: dict[uuid.UUID, tuple[str, int]] = {}
    if clashes:
        existing = {
            r.id: (r.content_hash, r.source_id)
            for r in db.execute(
                sa.select(StoredEvent.id, StoredEvent.content_hash, StoredEvent.source_id).where(
                    StoredEvent.id.in_(clashes)
                )
            )
        }
    for event_id, (index, digest) in pending.items():
        if event_id in inserted:
            results[index] = ItemResult(index, str(event_id), "accepted")
            continue
        stored = existing.get(event_id)
        if stored == (digest, source.id):
            results[index] = ItemResult(index, str(event_id), "duplicate")
        elif stored is not None and stored[1] != source.id:
            results[index] = ItemResult(
                index, str(event_id), "conflict", [_conflict("another source sent this id")]
            )
        else:
            results[index] = ItemResult(
                index,
                str(event_id),
                "conflict",
                [_conflict("an event with this id was stored with other content")],
            )
    return [r for r in results if r is not None]


def _conflict(message: str) -> FieldError:
    return FieldError(field="id", message=message)


def summarise(results: list[ItemResult]) -> dict[str, int]:
    """Counts per status, for the answer's summary."""
    summary = {"accepted": 0, "duplicate": 0, "conflict": 0, "rejected": 0}
    for result in results:
        summary[result.status] += 1
    return summary
