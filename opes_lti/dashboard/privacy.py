"""A learner's events on request: exported whole, or erased with every aggregate at once.

Erasure runs as a counter does (holding the mark row), so no counting interleaves. It
takes the learner's pairs out of every cell they added to, and their memberships with
them. The learner's own facts go. Records of the programme they took part in (a meeting
held, a practice shared, a group's hand-in) stay, with the learner's id cleared. The
organisation, region and course facts are worked out again from the events that remain.
Then their events go, and the erasure is recorded under a digest of the id, never the id
itself.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from opes_lti.core import purges
from opes_lti.core.db import affected
from opes_lti.dashboard import facts, rollups
from opes_lti.dashboard.models import Fact, GapPair, Membership
from opes_lti.reporting.models import StoredEvent, Uncounted

#: Facts about the person: they go with the learner.
_PERSONAL = ("learner", "sa_pre", "sa_post", facts.AWAITING, "member", "attendance")


def export(db: Session, learner: str) -> Iterator[dict[str, Any]]:
    """Every event stored about ``learner``, oldest first, as it was received."""
    query = (
        sa.select(StoredEvent.envelope)
        .where(StoredEvent.actor_id == learner)
        .order_by(StoredEvent.occurred_at, StoredEvent.id)
    )
    yield from db.scalars(query)


def digest(learner: str) -> str:
    """What the erasure record keeps: enough to show it was done, not who it was."""
    return hashlib.sha256(learner.encode()).hexdigest()


def erase(db: Session, learner: str, actor: str = "opes-lti privacy erase") -> dict[str, int]:
    """Erase ``learner``'s events and their trace in every rollup; the caller commits."""
    rollups.hold(db)
    deleted: dict[str, int] = {}
    communities = set(
        db.scalars(sa.select(Membership.community).where(Membership.learner == learner))
    )
    changes = rollups.Deltas()
    pairs = db.scalars(
        sa.select(GapPair).where(GapPair.scope == "person", GapPair.subject == learner)
    )
    for pair in pairs:
        key = rollups.key_of(pair)
        changes.add(key, rollups.state_of(key, pair.state), communities, -1)
    _refold_organisations(db, learner, changes)
    changes.write(db)
    deleted["gap_pairs"] = affected(
        db.execute(sa.delete(GapPair).where(GapPair.scope == "person", GapPair.subject == learner))
    )
    deleted["community_members"] = affected(
        db.execute(sa.delete(Membership).where(Membership.learner == learner))
    )
    deleted["facts"] = affected(
        db.execute(sa.delete(Fact).where(Fact.kind.in_(_PERSONAL), Fact.learner == learner))
    )
    db.execute(sa.update(Fact).where(Fact.learner == learner).values(learner=""))
    places = db.execute(
        sa.select(
            StoredEvent.organisation, StoredEvent.region, StoredEvent.platform, StoredEvent.course
        )
        .where(StoredEvent.actor_id == learner)
        .distinct()
    ).all()
    db.execute(
        sa.delete(Uncounted).where(
            Uncounted.event_id.in_(sa.select(StoredEvent.id).where(StoredEvent.actor_id == learner))
        )
    )
    deleted["events"] = affected(
        db.execute(sa.delete(StoredEvent).where(StoredEvent.actor_id == learner))
    )
    _recount_shared(db, places)
    purges.record(db, "learner", digest(learner), deleted)
    return deleted


def _refold_organisations(db: Session, learner: str, changes: rollups.Deltas) -> None:
    """Organisations' own pairs the learner answered for, rebuilt from the others' answers."""
    mine = db.execute(
        sa.select(StoredEvent.course, StoredEvent.envelope).where(
            StoredEvent.actor_id == learner, StoredEvent.type == "self_assessment.submitted"
        )
    ).all()
    keys = {
        rollups.pair_key_of(e["payload"], e["payload"]["organisation"], course)
        for course, e in mine
        if e["payload"].get("scope") == "organisation"
    }
    for key in sorted(keys, key=lambda k: k.digest):
        stored = db.get(GapPair, key.digest)
        before = rollups.state_of(key, stored.state if stored else None)
        others = db.execute(
            sa.select(StoredEvent).where(
                StoredEvent.type == "self_assessment.submitted",
                StoredEvent.organisation == key.subject,
                StoredEvent.competency == key.competency,
                StoredEvent.actor_id != learner,
            )
        ).scalars()
        after = rollups.state_of(key, None)
        for event in others:
            payload = event.envelope["payload"]
            if (
                payload.get("scope") == "organisation"
                and rollups.pair_key_of(payload, key.subject, event.course) == key
            ):
                after = after.answered(payload["phase"], rollups.answered_of(event, payload))
        changes.add(key, before, (), -1)
        changes.add(key, after, (), +1)
        if after.pre is None and after.post is None:
            db.execute(sa.delete(GapPair).where(GapPair.key == key.digest))
        elif stored is not None:
            stored.state = rollups.stored_state(after)


def _recount_shared(db: Session, places: Sequence[Any]) -> None:
    """Organisation, region and course facts from the events that remain (or none)."""
    wanted: dict[tuple[str, str], Any] = {}
    for organisation, region, platform, course in places:
        if organisation:
            wanted[("organisation", organisation)] = StoredEvent.organisation == organisation
        if region:
            wanted[("region", region)] = StoredEvent.region == region
        if course:
            same = sa.and_(StoredEvent.course == course, StoredEvent.platform == platform)
            wanted[("course", f"{platform}|{course}")] = same
    for (kind, key), where in sorted(wanted.items(), key=lambda item: item[0]):
        db.execute(sa.delete(Fact).where(Fact.kind == kind, Fact.key == key))
        earliest = db.scalars(
            sa.select(StoredEvent)
            .where(where)
            .order_by(StoredEvent.occurred_at, StoredEvent.id)
            .limit(1)
        ).first()
        if earliest is not None:
            found = facts.of(earliest, earliest.envelope["payload"])
            rollups.upsert_facts(db, [f.row() for f in found if (f.kind, f.key) == (kind, key)])
