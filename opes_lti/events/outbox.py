"""The SQLAlchemy outbox: :class:`~opes_lti.events.delivery.OutboxStore` over a table."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from opes_lti.core import outbound, queue
from opes_lti.core.db import affected, utcnow
from opes_lti.core.settings import Settings
from opes_lti.events.delivery import (
    Claim,
    Dispatcher,
    OutboxItem,
    ReportingClient,
    Settlement,
)
from opes_lti.events.domain import OutcomeEvent, canonical_json, parse_event
from opes_lti.events.models import OutboxEntry


def emit(db: Session, event: OutcomeEvent) -> bool:
    """Add an event to the outbox inside the caller's transaction; True if it was new.

    It is then stored if and only if the change it describes is. Emitting the same event
    twice keeps one row.
    """
    exists = db.scalar(sa.select(OutboxEntry.seq).where(OutboxEntry.event_id == event.id))
    if exists is None:
        db.add(OutboxEntry(event_id=event.id, event_type=event.type, body=canonical_json(event)))
    return exists is None


def emit_all(db: Session, events: Sequence[OutcomeEvent]) -> int:
    """Add many events in the caller's transaction, one statement each way; how many were new."""
    ids = [e.id for e in events]
    known = set(db.scalars(sa.select(OutboxEntry.event_id).where(OutboxEntry.event_id.in_(ids))))
    new: dict[uuid.UUID, OutcomeEvent] = {e.id: e for e in events if e.id not in known}
    if new:
        db.execute(
            sa.insert(OutboxEntry),
            [
                {"event_id": e.id, "event_type": e.type, "body": canonical_json(e)}
                for e in new.values()
            ],
        )
    return len(new)


class SqlOutbox:
    """Outbox rows in the service's own database."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def emit(self, event: OutcomeEvent) -> None:
        """Store one event in a transaction of its own."""
        with self.sessions.begin() as db:
            emit(db, event)

    def claim(self, limit: int, lease: timedelta, now: datetime) -> Claim:
        """Reserve due events no other dispatcher holds (see :func:`queue.claim_due`)."""
        with self.sessions.begin() as db:
            token, rows = queue.claim_due(
                db,
                OutboxEntry,
                OutboxEntry.seq,
                limit,
                lease,
                now,
                OutboxEntry.event_id,
                OutboxEntry.body,
                OutboxEntry.attempts,
                OutboxEntry.created_at,
            )
        return Claim(
            token,
            [OutboxItem(str(r.event_id), r.body, r.attempts, r.created_at) for r in rows],
        )

    def settle(self, claim: Claim, settlements: Sequence[Settlement], now: datetime) -> None:
        """Record each outcome; a retry only while we still hold the lease."""
        with self.sessions.begin() as db:
            for s in settlements:
                where = OutboxEntry.event_id == uuid.UUID(s.event_id)
                if s.outcome == "delivered":
                    queue.settle(
                        db, OutboxEntry, where, claim.token, status="delivered", delivered_at=now
                    )
                elif s.outcome == "rejected":
                    queue.settle(
                        db, OutboxEntry, where, claim.token, status="rejected", reason=s.reason
                    )
                else:
                    queue.settle(
                        db,
                        OutboxEntry,
                        where,
                        claim.token,
                        reason=s.reason,
                        retry_at=s.next_attempt_at or now,
                    )

    # --- operator views -----------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        """Events per status."""
        with self.sessions() as db:
            rows = db.execute(
                sa.select(OutboxEntry.status, sa.func.count()).group_by(OutboxEntry.status)
            ).all()
        return {"pending": 0, "delivered": 0, "rejected": 0} | dict(rows)

    def rejected(self, limit: int = 100) -> list[OutboxEntry]:
        """Events set aside, newest first, with the reason."""
        with self.sessions() as db:
            return list(
                db.scalars(
                    sa.select(OutboxEntry)
                    .where(OutboxEntry.status == "rejected")
                    .order_by(OutboxEntry.seq.desc())
                    .limit(limit)
                )
            )

    def requeue_rejected(
        self, event_ids: Sequence[uuid.UUID] | None = None, source: str | None = None
    ) -> tuple[int, int]:
        """Put rejected events back in the queue (after the cause was fixed).

        With ``source``, events that name another source are relabelled with it: they were
        refused because the sender ran under the wrong ``OPES_SOURCE_NAME``, and only the
        setting was wrong, not the event. Returns (requeued, relabelled).
        """
        where = [OutboxEntry.status == "rejected"]
        if event_ids:
            where.append(OutboxEntry.event_id.in_(event_ids))
        relabelled = 0
        with self.sessions.begin() as db:
            if source:
                for row in db.scalars(sa.select(OutboxEntry).where(*where)):
                    event = parse_event(json.loads(row.body))
                    if event.source != source:
                        row.body = canonical_json(event.model_copy(update={"source": source}))
                        relabelled += 1
            result = db.execute(
                sa.update(OutboxEntry)
                .where(*where)
                .values(status="pending", next_attempt_at=utcnow(), attempts=0)
                .execution_options(synchronize_session=False)
            )
            return affected(result), relabelled

    def purge_delivered(self, older_than: timedelta) -> int:
        """Delete delivered rows older than ``older_than``."""
        cutoff = utcnow() - older_than
        with self.sessions.begin() as db:
            result = db.execute(
                sa.delete(OutboxEntry).where(
                    OutboxEntry.status == "delivered", OutboxEntry.delivered_at < cutoff
                )
            )
            return affected(result)


def build_dispatcher(
    settings: Settings,
    sessions: sessionmaker[Session],
    *,
    reporting_url: str | None = None,
    token: str | None = None,
) -> Dispatcher:
    """The dispatcher configured from settings (URL and token may be overridden)."""
    url = reporting_url or settings.reporting_url
    if not url:
        raise ValueError("no reporting URL: set OPES_REPORTING_URL")
    client = ReportingClient(
        url,
        token if token is not None else settings.reporting_token,
        timeout=settings.outbox_timeout_seconds,
        # The operator named this service: trusted whatever its address (an internal one).
        http=outbound.http(
            settings.outbox_timeout_seconds,
            outbound.policy_for(settings.base_url, settings.outbound_loopback, [url]),
        ),
    )
    return Dispatcher(
        SqlOutbox(sessions),
        client,
        batch_size=settings.outbox_batch_size,
        lease_seconds=settings.outbox_lease_seconds,
        max_backoff=settings.outbox_max_backoff_seconds,
    )
