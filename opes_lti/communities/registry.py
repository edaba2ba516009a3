"""A community's partnerships and interventions: members record, coordinators confirm.

Both kinds move the same way (:data:`~.partnership.MOVES`) and every step is kept in
``community_record_changes`` with the record as it then was. When a record comes to
count (:func:`~.partnership.counts`: confirmed, and for an intervention started) the
outbox says ``community.partnership_recorded`` or ``community.intervention_recorded``
in the same transaction; when a counted record is withdrawn the correction follows, so
the dashboard and the final report count only what stands. Nothing here deletes one.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

from opes_lti.communities import corrections
from opes_lti.communities import services as communities
from opes_lti.communities.access import Asker, RecordError, require, role
from opes_lti.communities.meeting import local
from opes_lti.communities.models import Community, Meeting, Practice, Registered, RegisteredChange
from opes_lti.communities.origin import Origin, actor
from opes_lti.communities.partnership import (
    MOVES,
    SPECS,
    InterventionSpec,
    Kind,
    Move,
    PartnershipSpec,
    Spec,
    State,
    counts,
    forward,
    intervention_payload,
    partnership_payload,
)
from opes_lti.communities.practice import Stage
from opes_lti.communities.rules import MoveRefused, may, moved
from opes_lti.communities.spec import is_ref
from opes_lti.core.db import utcnow
from opes_lti.events import outbox
from opes_lti.events.domain import InterventionRecorded, PartnershipRecorded

#: Events' ids, derived from the record and the instant it came to count.
EVENTS = uuid.UUID("8d3f6a20-1c4e-4b7f-9a52-6e0b3c9d1f48")
#: Records of one kind one community may hold (withdrawn ones included).
MOST_RECORDS = 2000


def kind_of(spec: Spec) -> Kind:
    """Which kind of record ``spec`` is."""
    return "partnership" if isinstance(spec, PartnershipSpec) else "intervention"


def spec_of(row: Registered) -> Spec:
    """The record's spec as stored."""
    return SPECS[cast(Kind, row.kind)].model_validate(row.sheet)


def _fill(row: Registered, spec: Spec) -> None:
    row.title = spec.title
    row.sheet = spec.model_dump(mode="json")
    row.status = spec.status if isinstance(spec, InterventionSpec) else ""
    row.updated_at = utcnow()


def _history(db: Session, row: Registered, by: str, move: str, comment: str = "") -> None:
    db.add(
        RegisteredChange(
            record_id=row.id, by=by, move=move, state=row.state, status=row.status,
            comment=comment, sheet=row.sheet,
        )
    )  # fmt: skip


def _check_links(db: Session, community: Community, spec: Spec) -> None:
    """Linked practices must be this community's published ones, meetings its own."""
    practices = list(spec.practices)
    if practices:
        found = set(
            db.scalars(
                sa.select(Practice.ref).where(
                    Practice.ref.in_(practices),
                    Practice.community_id == community.id,
                    Practice.state == "published",
                )
            )
        )
        missing = [p for p in practices if p not in found]
        if missing:
            raise RecordError("no_such_practice", missing[0])
    held = list(spec.meetings) if isinstance(spec, InterventionSpec) else []
    if held:
        found = set(
            db.scalars(
                sa.select(Meeting.ref).where(
                    Meeting.ref.in_(held),
                    Meeting.community_id == community.id,
                    Meeting.cancelled_at.is_(None),
                )
            )
        )
        missing = [m for m in held if m not in found]
        if missing:
            raise RecordError("no_such_meeting", missing[0])


def record(db: Session, community: Community, asker: Asker, spec: Spec) -> Registered:
    """A member records a partnership or an intervention; it waits for confirmation."""
    communities.require_open(community)
    require(db, community, asker, "share")
    kind = kind_of(spec)
    held = db.scalar(
        sa.select(sa.func.count())
        .select_from(Registered)
        .where(Registered.community_id == community.id, Registered.kind == kind)
    )
    if (held or 0) >= MOST_RECORDS:
        raise RecordError("wrong_state", "too many records")
    _check_links(db, community, spec)
    row = Registered(ref=uuid.uuid4().hex, kind=kind, community_id=community.id,
                     author=asker.user, state="submitted")  # fmt: skip
    _fill(row, spec)
    db.add(row)
    db.flush()
    _history(db, row, asker.user, "record")
    return row


def find(db: Session, ref: str) -> Registered:
    """The record of this reference (withdrawn ones too), or :class:`RecordError`."""
    row = db.scalar(sa.select(Registered).where(Registered.ref == ref)) if is_ref(ref) else None
    if row is None:
        raise RecordError("no_such_record", ref[:40])
    return row


def community_of(db: Session, row: Registered) -> Community:
    """The record's community."""
    return db.get_one(Community, row.community_id)


def readable(db: Session, row: Registered, asker: Asker) -> bool:
    """Confirmed records are read by anyone; others by their author and the coordinators."""
    if row.state == "confirmed":
        return True
    return row.author == asker.user or may(role(db, community_of(db, row), asker), "confirm")


def read(db: Session, ref: str, asker: Asker) -> Registered:
    """The record, if the asker may read it (else it does not exist for them)."""
    row = find(db, ref)
    if not readable(db, row, asker):
        raise RecordError("no_such_record", ref[:40])
    return row


def _move(db: Session, row: Registered, asker: Asker, move: Move) -> State:
    held = role(db, community_of(db, row), asker)
    before = cast(State, row.state)
    try:
        row.state = moved(before, move, held, row.author == asker.user, MOVES, overseer="confirm")
    except MoveRefused as exc:
        raise RecordError(exc.why, row.state) from None
    return before


def edit(db: Session, ref: str, asker: Asker, spec: Spec) -> Registered:
    """The author changes a record not yet confirmed; it waits for confirmation again."""
    row = find(db, ref)
    if kind_of(spec) != row.kind:
        raise RecordError("wrong_state", row.kind)
    _move(db, row, asker, "edit")
    _check_links(db, community_of(db, row), spec)
    _fill(row, spec)
    row.comment = ""
    _history(db, row, asker.user, "edit")
    return row


def confirm(db: Session, ref: str, asker: Asker, origin: Origin) -> Registered:
    """A coordinator confirms a record; from now it counts (an intervention once started)."""
    row = find(db, ref)
    _move(db, row, asker, "confirm")
    now = utcnow()
    row.confirmed_at, row.confirmed_by = now, asker.user
    _history(db, row, asker.user, "confirm")
    if counts(row.state, row.status):
        _tell(db, row, origin, now)
    return row


def send_back(db: Session, ref: str, asker: Asker, comment: str) -> Registered:
    """A coordinator returns a record to its author, saying what to change."""
    comment = comment.strip()[:2000]
    if not comment:
        raise RecordError("comment_needed")
    row = find(db, ref)
    _move(db, row, asker, "return")
    row.comment = comment
    _history(db, row, asker.user, "return", comment)
    return row


def withdraw(db: Session, ref: str, asker: Asker, origin: Origin, comment: str = "") -> Registered:
    """The author or a coordinator withdraws a record; it is kept, out of the counts."""
    row = find(db, ref)
    counted = counts(row.state, row.status)
    _move(db, row, asker, "withdraw")
    _history(db, row, asker.user, "withdraw", comment.strip()[:2000])
    if counted:
        slug = community_of(db, row).slug
        corrections.withdrawn(db, slug, cast(Kind, row.kind), row.ref, row.author, origin,
                              utcnow())  # fmt: skip
    return row


def progress(
    db: Session, ref: str, asker: Asker, status: Stage, origin: Origin, on: date | None = None
) -> Registered:
    """A coordinator moves a confirmed intervention on: planned, running, completed.

    It never goes back. ``on`` is the day it started or ended (today, in Italy, if not
    given). An intervention that comes to count is told; one already counted is told
    again with its new stage, after a correction of the old one, so it counts once.
    """
    row = find(db, ref)
    require(db, community_of(db, row), asker, "confirm")
    if row.kind != "intervention" or row.state != "confirmed":
        raise RecordError("wrong_state", row.state)
    if not forward(cast(Stage, row.status), status):
        raise RecordError("wrong_state", row.status)
    day = on or local(utcnow()).date()
    spec = cast(InterventionSpec, spec_of(row))
    started = spec.started_on or day
    if day < started:
        raise RecordError("wrong_state", "ends before it starts")
    changes: dict[str, Any] = {"status": status, "started_on": started}
    if status == "completed":
        changes["ended_on"] = day
    counted = counts(row.state, row.status)
    _fill(row, spec.model_copy(update=changes))
    _history(db, row, asker.user, "progress")
    now = utcnow()
    if counted:
        slug = community_of(db, row).slug
        corrections.withdrawn(db, slug, "intervention", row.ref, row.author, origin, now)
        # Just after the correction: the dashboard drops what it counted up to then.
        now += timedelta(microseconds=1)
    _tell(db, row, origin, now)
    return row


def _tell(db: Session, row: Registered, origin: Origin, at: datetime) -> None:
    community = community_of(db, row).slug
    spec = spec_of(row)
    common: dict[str, Any] = {
        "id": uuid.uuid5(EVENTS, f"{row.kind}|{row.ref}|{at.isoformat()}"),
        "occurred_at": at,
        "source": origin.source,
        # The member recorded it; the coordinator only confirmed it.
        "actor": actor(db, row.author),
        "context": origin.context,
    }
    if isinstance(spec, PartnershipSpec):
        outbox.emit(
            db,
            PartnershipRecorded(
                type="community.partnership_recorded",
                payload=partnership_payload(community, row.ref, spec),
                **common,
            ),
        )
    else:
        outbox.emit(
            db,
            InterventionRecorded(
                type="community.intervention_recorded",
                payload=intervention_payload(community, row.ref, spec, cast(Stage, row.status)),
                **common,
            ),
        )


def listed(db: Session, community: Community, kind: Kind) -> list[Registered]:
    """The community's confirmed records of ``kind``, newest confirmed first."""
    return _listed(db, community, kind, [Registered.state == "confirmed"],
                   Registered.confirmed_at.desc())  # fmt: skip


def mine(db: Session, community: Community, asker: Asker, kind: Kind) -> list[Registered]:
    """The asker's own records of ``kind`` not confirmed nor withdrawn, newest change first."""
    where = [Registered.author == asker.user, Registered.state.in_(("submitted", "returned"))]
    return _listed(db, community, kind, where, Registered.updated_at.desc())


def to_confirm(db: Session, community: Community, asker: Asker, kind: Kind) -> list[Registered]:
    """For a coordinator: the records of ``kind`` waiting for confirmation, oldest first."""
    require(db, community, asker, "confirm")
    return _listed(db, community, kind, [Registered.state == "submitted"],
                   Registered.updated_at)  # fmt: skip


def waiting(db: Session, community: Community) -> int:
    """How many of the community's records wait for confirmation (both kinds)."""
    counted = sa.select(sa.func.count()).select_from(Registered)
    where = (Registered.community_id == community.id, Registered.state == "submitted")
    return db.scalar(counted.where(*where)) or 0


def _listed(
    db: Session, community: Community, kind: Kind, where: Sequence[Any], order: Any
) -> list[Registered]:
    return list(
        db.scalars(
            sa.select(Registered)
            .where(Registered.community_id == community.id, Registered.kind == kind, *where)
            .order_by(order, Registered.id)
        )
    )


def history(db: Session, row: Registered) -> list[RegisteredChange]:
    """Every step of the record, oldest first."""
    return list(
        db.scalars(
            sa.select(RegisteredChange)
            .where(RegisteredChange.record_id == row.id)
            .order_by(RegisteredChange.at, RegisteredChange.id)
        )
    )


def links(db: Session, row: Registered) -> tuple[list[Practice], list[Meeting]]:
    """The published practices and the meetings the record names, as they stand now."""
    spec = spec_of(row)
    practices = list(
        db.scalars(
            sa.select(Practice)
            .where(Practice.ref.in_(list(spec.practices)), Practice.state == "published")
            .order_by(Practice.published_at)
            .options(sa.orm.defer(Practice.sheet))
        )
    ) if spec.practices else []  # fmt: skip
    held = list(spec.meetings) if isinstance(spec, InterventionSpec) else []
    meetings = list(
        db.scalars(
            sa.select(Meeting)
            .where(Meeting.ref.in_(held), Meeting.cancelled_at.is_(None))
            .order_by(Meeting.starts_at)
        )
    ) if held else []  # fmt: skip
    return practices, meetings
