"""The outbox in a learner's own user state, for LMSs that did not install the outbox app.

It is an :class:`~opes_lti.events.delivery.OutboxStore`, so the one
:class:`~opes_lti.events.delivery.Dispatcher` sends from it with the same batching,
retry and settle rules as every other outbox; only the storage differs. Events leave
when the learner submits or comes back to the block; the outbox app is the durable way.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from opes_lti.events.delivery import Claim, OutboxItem, Settlement
from opes_lti.events.domain import OutcomeEvent, canonical_json

#: Events kept for a learner while the reporting service is unreachable (oldest dropped).
MAX_PENDING = 500


def _entry(raw: Any) -> dict[str, Any]:
    # The first release kept bare JSON strings; read those as new, never tried, entries.
    if isinstance(raw, str):
        return {"body": raw, "attempts": 0, "due": 0.0}
    return dict(raw)


class FieldOutbox:
    """Pending events in a block's ``pending_events`` list field (one learner's)."""

    def __init__(self, block: Any) -> None:
        self.block = block

    def _entries(self) -> list[dict[str, Any]]:
        return [_entry(raw) for raw in self.block.pending_events]

    def _store(self, entries: list[dict[str, Any]]) -> None:
        self.block.pending_events = entries[-MAX_PENDING:]  # a new list: XBlock sees the change

    def emit(self, event: OutcomeEvent) -> None:
        """Keep an event for sending."""
        self.emit_all([event])

    def emit_all(self, events: Sequence[OutcomeEvent]) -> None:
        """Keep a submission's events; ids already kept are skipped."""
        entries = self._entries()
        known = {json.loads(e["body"])["id"] for e in entries}
        for event in events:
            if str(event.id) not in known:
                entries.append({"body": canonical_json(event), "attempts": 0, "due": 0.0})
        self._store(entries)

    def pending(self) -> int:
        """How many events wait."""
        return len(self.block.pending_events)

    def claim(self, limit: int, lease: timedelta, now: datetime) -> Claim:
        """The due events (one learner's request holds them; no lease is needed)."""
        moment = now.timestamp()
        items = [
            OutboxItem(json.loads(e["body"])["id"], e["body"], int(e["attempts"]))
            for e in self._entries()
            if float(e["due"]) <= moment
        ][:limit]
        return Claim(str(uuid.uuid4()), items)

    def settle(self, claim: Claim, settlements: Sequence[Settlement], now: datetime) -> None:
        """Drop what was delivered or refused for good; push back what is to be retried."""
        fate = {s.event_id: s for s in settlements}
        kept = []
        for entry in self._entries():
            s = fate.get(json.loads(entry["body"])["id"])
            if s is None:
                kept.append(entry)
            elif s.outcome == "retry":
                due = (s.next_attempt_at or now).astimezone(UTC).timestamp()
                kept.append({**entry, "attempts": int(entry["attempts"]) + 1, "due": due})
        self._store(kept)
