"""What each source sent, by hour: items per status and the reasons for refusals.

Operators need to see that a sender's events are refused, and why, without the reporting
database keeping what it refused. So refusals are counters keyed by the first error's
field and message. A message may quote what the sender wrote (the name of a field it
made up), so both are cut short and at most :data:`MAX_REASONS` distinct ones are kept
per source and hour; beyond that, refusals are counted together under an empty reason.
Written in the transaction that stores the batch.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from opes_lti.core import bulk
from opes_lti.reporting.ingest import ItemResult
from opes_lti.reporting.models import Source, Traffic

#: Distinct (status, field, reason) refusals kept per source and hour.
MAX_REASONS = 20
#: Counted, not refused.
KEPT = ("accepted", "duplicate")
#: A request refused whole, before any item was read.
REQUEST = "request"
FIELD_ROOM, REASON_ROOM = 120, 240
#: The reason of the refusals counted together once a source and hour holds MAX_REASONS.
OTHERS = ""
#: What the page sums as "the last day": this hour and the 23 before it.
DAY_HOURS = 24

Key = tuple[str, str, str]  # status, field, reason


#: Control characters: PostgreSQL's text cannot store NUL, and none can be shown.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _cut(text: str, room: int) -> str:
    # A refusal's field echoes the sender's own keys, which may carry any character.
    text = _CONTROL.sub("\ufffd", text)
    return text if len(text) <= room else text[: room - 1] + "…"


def refusal(status: str, field_: str, reason: str) -> Key:
    """A refusal's key, cut to the room the table keeps (never empty: OTHERS is reserved)."""
    return status, _cut(field_, FIELD_ROOM), _cut(reason, REASON_ROOM) or "?"


def tally(items: Iterable[tuple[str, Key | None]]) -> Counter[Key]:
    """Count items by status, refused ones by their first error: one count per item."""
    counts: Counter[Key] = Counter()
    for status, why in items:
        if status in KEPT:
            counts[(status, "", "")] += 1
        else:
            counts[why or refusal(status, "", "")] += 1
    return counts


def of_items(results: Iterable[ItemResult]) -> Counter[Key]:
    """A batch's answers, counted."""
    return tally(
        (r.status, refusal(r.status, r.errors[0].field, r.errors[0].message) if r.errors else None)
        for r in results
    )


def fold(counts: Counter[Key], known: set[Key], room: int = MAX_REASONS) -> Counter[Key]:
    """``counts`` with refusals beyond ``room`` distinct reasons counted together.

    ``known``: the reasons already kept for this source and hour, which keep counting.
    """
    kept = {k for k in known if k[2] != OTHERS}
    out: Counter[Key] = Counter()
    for key, n in sorted(counts.items()):
        if key[0] in KEPT or key in kept:
            out[key] += n
        elif len(kept) < room:
            kept.add(key)
            out[key] += n
        else:
            out[(key[0], "", OTHERS)] += n
    return out


def hour_of(moment: datetime) -> datetime:
    """The hour a moment falls in."""
    return moment.replace(minute=0, second=0, microsecond=0)


def record(db: Session, source_id: int, counts: Counter[Key], now: datetime) -> None:
    """Add a request's counts to its source's hour."""
    if not counts:
        return
    hour = hour_of(now)
    known: set[Key] = set()
    if any(k[0] not in KEPT for k in counts):
        refused = sa.select(Traffic.status, Traffic.field, Traffic.reason).where(
            Traffic.source_id == source_id, Traffic.hour == hour, Traffic.status.not_in(KEPT)
        )
        known = {(r.status, r.field, r.reason) for r in db.execute(refused)}
    rows = [
        {"source_id": source_id, "hour": hour, "status": status, "field": field_,
         "reason": reason, "count": n, "last_at": now}
        for (status, field_, reason), n in sorted(fold(counts, known).items())
    ]  # fmt: skip
    conflict = ["source_id", "hour", "status", "field", "reason"]
    bulk.upsert(db, Traffic.__table__, rows, conflict, add=["count"], replace=["last_at"])


@dataclass(frozen=True)
class Reason:
    """Why some refusals happened, over the last day."""

    status: str
    field: str
    reason: str
    count: int
    last_at: datetime


@dataclass
class SourceTraffic:
    """One source as its operator sees it."""

    name: str
    active: bool
    last_used_at: datetime | None
    last_event_at: datetime | None = None
    accepted: int = 0
    duplicates: int = 0
    refused: int = 0
    reasons: list[Reason] = field(default_factory=list)


def summary(db: Session, now: datetime) -> list[SourceTraffic]:
    """Every source, with its last event and the last day's counts and reasons."""
    since = hour_of(now) - timedelta(hours=DAY_HOURS - 1)
    found = {
        s.id: SourceTraffic(s.name, s.active, s.last_used_at)
        for s in db.scalars(sa.select(Source).order_by(Source.name))
    }
    last = sa.select(Traffic.source_id, sa.func.max(Traffic.last_at)).where(
        Traffic.status == "accepted"
    )
    for source_id, at in db.execute(last.group_by(Traffic.source_id)):
        found[source_id].last_event_at = at
    day = (
        sa.select(
            Traffic.source_id, Traffic.status, Traffic.field, Traffic.reason,
            sa.func.sum(Traffic.count), sa.func.max(Traffic.last_at),
        )
        .where(Traffic.hour >= since)
        .group_by(Traffic.source_id, Traffic.status, Traffic.field, Traffic.reason)
    )  # fmt: skip
    reasons: dict[int, list[Reason]] = defaultdict(list)
    for source_id, status, field_, reason, count, at in db.execute(day):
        shown = found[source_id]
        if status == "accepted":
            shown.accepted += int(count)
        elif status == "duplicate":
            shown.duplicates += int(count)
        else:
            shown.refused += int(count)
            reasons[source_id].append(Reason(status, field_, reason, int(count), at))
    for source_id, listed in reasons.items():
        # The most frequent first, and the reasons counted together last.
        found[source_id].reasons = sorted(listed, key=lambda r: (r.reason == OTHERS, -r.count))
    return list(found.values())
