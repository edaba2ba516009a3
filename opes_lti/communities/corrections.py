"""The correction told when a counted record is withdrawn (``community.record_withdrawn``).

A practice, an attendance, a partnership or an intervention is counted once its event
is sent. Withdrawing it later keeps the record but sends this event, in the same
transaction, so the dashboard stops counting it; nothing already sent is unsent.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from sqlalchemy.orm import Session

from opes_lti.communities.origin import Origin, actor
from opes_lti.events import outbox
from opes_lti.events.domain import CorrectionPayload, RecordWithdrawn

#: Events' ids, derived from the record and the instant it was withdrawn.
EVENTS = uuid.UUID("c4a8b0e2-7f1d-4b6a-9e53-2d1f0a6b7c94")
Record = Literal["practice", "attendance", "partnership", "intervention"]


def withdrawn(
    db: Session,
    community: str,
    record: Record,
    record_id: str,
    whose: str,
    origin: Origin,
    at: datetime,
) -> None:
    """Tell that ``record_id`` no longer stands (``whose``: whose record it was)."""
    outbox.emit(
        db,
        RecordWithdrawn(
            id=uuid.uuid5(EVENTS, f"{record}|{community}|{record_id}|{whose}|{at.isoformat()}"),
            type="community.record_withdrawn",
            occurred_at=at,
            source=origin.source,
            actor=actor(db, whose),
            context=origin.context,
            payload=CorrectionPayload(community=community, record=record, id=record_id),
        ),
    )
