""":class:`~opes_lti.events.delivery.OutboxStore` over the Django ORM."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q

from opes_lti.events.delivery import (
    Claim,
    Dispatcher,
    OutboxItem,
    Settlement,
)
from opes_lti.events.domain import OutcomeEvent, canonical_json
from opes_xblocks.outbox.models import PendingEvent
from opes_xblocks.sending import dispatcher_for


class DjangoOutbox:
    """Events in the LMS database; claims are leased so several senders never overlap."""

    def emit(self, event: OutcomeEvent, now: datetime | None = None) -> None:
        """Store an event (in the request's transaction when there is one); once per id."""
        from django.utils import timezone

        try:
            with transaction.atomic():
                PendingEvent.objects.get_or_create(
                    event_id=str(event.id),
                    defaults={
                        "body": canonical_json(event),
                        "next_attempt_at": now or timezone.now(),
                    },
                )
        except IntegrityError:  # a concurrent emit of the same id won: nothing to add
            pass

    def emit_all(self, events: Sequence[OutcomeEvent]) -> None:
        """Store a submission's events in one statement; ids already stored are skipped."""
        from django.utils import timezone

        now = timezone.now()
        PendingEvent.objects.bulk_create(
            [
                PendingEvent(event_id=str(e.id), body=canonical_json(e), next_attempt_at=now)
                for e in events
            ],
            ignore_conflicts=True,
        )

    def claim(self, limit: int, lease: timedelta, now: datetime) -> Claim:
        """Reserve due events no other sender holds (row locks skipped where supported)."""
        token = str(uuid.uuid4())
        with transaction.atomic():
            due = (
                PendingEvent.objects.filter(status="pending", next_attempt_at__lte=now)
                .filter(Q(leased_until__isnull=True) | Q(leased_until__lt=now))
                .order_by("id")
                .select_for_update(skip_locked=True)
            )
            ids = list(due.values_list("id", flat=True)[:limit])
            PendingEvent.objects.filter(id__in=ids).update(
                lease_token=token, leased_until=now + lease
            )
            rows = PendingEvent.objects.filter(id__in=ids).order_by("id")
            items = [OutboxItem(r.event_id, r.body, r.attempts) for r in rows]
        return Claim(token, items)

    def settle(self, claim: Claim, settlements: Sequence[Settlement], now: datetime) -> None:
        """Record each event's fate, as :func:`opes_lti.core.queue.settle` does.

        A final outcome is true whoever holds the row now; a retry only while ``claim``
        still holds it, so a sender whose lease ran out cannot disturb the one that took over.
        """
        done: dict[str, Any] = {"lease_token": None, "leased_until": None}
        with transaction.atomic():
            for s in settlements:
                row = PendingEvent.objects.filter(event_id=s.event_id)
                if s.outcome == "delivered":
                    row.update(status="delivered", delivered_at=now, last_error="", **done)
                elif s.outcome == "rejected":
                    row.update(status="rejected", last_error=s.reason[:2000], **done)
                else:
                    row.filter(lease_token=claim.token).update(
                        attempts=F("attempts") + 1,
                        next_attempt_at=s.next_attempt_at or now,
                        last_error=s.reason[:2000],
                        **done,
                    )


def dispatcher(settings: dict[str, Any]) -> Dispatcher | None:
    """The sender of the LMS's outbox table for the reporting service in ``settings``."""
    return dispatcher_for(settings, DjangoOutbox())
