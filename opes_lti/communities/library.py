"""The practice library: members write practices, coordinators review and publish them.

Every change checks the asker's role in the practice's community (:mod:`.rules`) and is
kept in the practice's history with the sheet as it then was. Publishing emits
``community.practice_shared`` through the outbox in the same transaction; withdrawing a
published practice emits the correction, so the dashboard stops counting it. Nothing
here deletes a practice or a file.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

from opes_lti.communities import corrections, search
from opes_lti.communities import services as communities
from opes_lti.communities.access import Asker, RecordError, require, role
from opes_lti.communities.models import (
    Community,
    Practice,
    PracticeChange,
    PracticeFile,
    PracticeScore,
)
from opes_lti.communities.origin import Origin, actor
from opes_lti.communities.practice import PracticeSpec, Scores, missing, search_text
from opes_lti.communities.rules import MOVES, Move, MoveRefused, Role, State, may, moved
from opes_lti.communities.spec import is_ref
from opes_lti.core.db import utcnow
from opes_lti.events import outbox
from opes_lti.events.domain import PracticePayload, PracticeShared
from opes_lti.groups.filekinds import MOST_BYTES, content_type, safe_name

#: Events' ids, derived from the practice and the step they tell of.
EVENTS = uuid.UUID("0b0f5c9e-5d8a-4c1e-a0a4-7f6a33c2e8b1")


def _sheet(spec: PracticeSpec) -> dict[str, Any]:
    return spec.model_dump(mode="json")


def fill(row: Practice, spec: PracticeSpec) -> None:
    """Write ``spec`` into ``row``, with what search and filters read of it."""
    row.title = spec.title
    row.sheet = _sheet(spec)
    row.region = spec.region
    row.organisation = spec.organisations[0] if spec.organisations else None
    row.themes = " " + " ".join(spec.themes) + " " if spec.themes else " "
    row.search_text = search_text(spec)
    row.stems = search.stems_of(row.search_text)
    row.search_vector = search.vector_of(row.search_text)
    row.updated_at = utcnow()


def _history(db: Session, row: Practice, by: str, move: str, comment: str = "") -> None:
    db.add(
        PracticeChange(
            practice_id=row.id,
            by=by,
            move=move,
            state=row.state,
            comment=comment,
            sheet=row.sheet,
        )
    )


def write(db: Session, community: Community, asker: Asker, spec: PracticeSpec) -> Practice:
    """A new draft by a member of ``community``."""
    communities.require_open(community)
    require(db, community, asker, "share")
    row = Practice(ref=uuid.uuid4().hex, community_id=community.id, author=asker.user)
    fill(row, spec)
    db.add(row)
    db.flush()
    _history(db, row, asker.user, "write")
    return row


def find(db: Session, ref: str) -> Practice:
    """The practice of this reference, or :class:`RecordError`."""
    row = db.scalar(sa.select(Practice).where(Practice.ref == ref)) if is_ref(ref) else None
    if row is None:
        raise RecordError("no_such_practice", ref[:40])
    return row


def community_of(db: Session, row: Practice) -> Community:
    """The practice's community."""
    return db.get_one(Community, row.community_id)


def readable(db: Session, row: Practice, asker: Asker) -> bool:
    """Published practices are read by anyone; others by their author and reviewers."""
    if row.state == "published":
        return True
    return row.author == asker.user or may(role(db, community_of(db, row), asker), "review")


def read(db: Session, ref: str, asker: Asker) -> Practice:
    """The practice, if the asker may read it (else it does not exist for them)."""
    row = find(db, ref)
    if not readable(db, row, asker):
        raise RecordError("no_such_practice", ref[:40])
    return row


def _move(db: Session, row: Practice, asker: Asker, move: Move) -> tuple[Role, str]:
    held = role(db, community_of(db, row), asker)
    before = row.state
    try:
        row.state = moved(cast(State, before), move, held, row.author == asker.user, MOVES)
    except MoveRefused as exc:
        raise RecordError(exc.why, row.state) from None
    return held, before


def edit(db: Session, ref: str, asker: Asker, spec: PracticeSpec) -> Practice:
    """The author changes a draft or a returned practice."""
    row = find(db, ref)
    _move(db, row, asker, "edit")
    fill(row, spec)
    _history(db, row, asker.user, "edit")
    return row


def submit(db: Session, ref: str, asker: Asker) -> Practice:
    """The author sends the practice to review, once its sheet says enough."""
    row = find(db, ref)
    lacking = missing(PracticeSpec.model_validate(row.sheet))
    _move(db, row, asker, "submit")
    if lacking:
        raise RecordError("incomplete", ", ".join(lacking))
    row.comment = ""
    _history(db, row, asker.user, "submit")
    return row


def publish(db: Session, ref: str, asker: Asker, origin: Origin) -> Practice:
    """A coordinator publishes a submitted practice; the event says it was shared."""
    row = find(db, ref)
    _move(db, row, asker, "publish")
    row.published_at = utcnow()
    _history(db, row, asker.user, "publish")
    community = community_of(db, row)
    themes = row.themes.split()
    outbox.emit(
        db,
        PracticeShared(
            id=uuid.uuid5(EVENTS, f"published|{row.ref}|{row.published_at.isoformat()}"),
            type="community.practice_shared",
            occurred_at=row.published_at,
            source=origin.source,
            # The author shared it; the coordinator only let it through.
            actor=actor(db, row.author),
            context=origin.context,
            payload=PracticePayload(
                community=community.slug,
                practice=row.ref,
                title=row.title,
                theme=themes[0] if themes else None,
            ),
        ),
    )
    return row


def send_back(db: Session, ref: str, asker: Asker, comment: str) -> Practice:
    """A coordinator returns a submitted practice to its author, saying what to change."""
    comment = comment.strip()[:2000]
    if not comment:
        raise RecordError("comment_needed")
    row = find(db, ref)
    _move(db, row, asker, "return")
    row.comment = comment
    _history(db, row, asker.user, "return", comment)
    return row


def withdraw(db: Session, ref: str, asker: Asker, origin: Origin, comment: str = "") -> Practice:
    """The author or a coordinator withdraws the practice; it is kept, out of the library.

    A published practice had been counted: the correction takes it out of the counts.
    """
    row = find(db, ref)
    _, before = _move(db, row, asker, "withdraw")
    _history(db, row, asker.user, "withdraw", comment.strip()[:2000])
    if before == "published":
        slug = community_of(db, row).slug
        corrections.withdrawn(db, slug, "practice", row.ref, row.author, origin, utcnow())
    return row


def history(db: Session, row: Practice) -> list[PracticeChange]:
    """Every step of the practice, oldest first."""
    return list(
        db.scalars(
            sa.select(PracticeChange)
            .where(PracticeChange.practice_id == row.id)
            .order_by(PracticeChange.at, PracticeChange.id)
        )
    )


def score(db: Session, ref: str, asker: Asker, scores: Scores) -> PracticeScore:
    """A coordinator scores a submitted or published practice (again: replaces)."""
    row = find(db, ref)
    require(db, community_of(db, row), asker, "review")
    if row.state not in ("submitted", "published"):
        raise RecordError("wrong_state", row.state)
    stored = db.get(PracticeScore, (row.id, asker.user))
    if stored is None:
        stored = PracticeScore(practice_id=row.id, reviewer=asker.user)
        db.add(stored)
    stored.scores = scores.model_dump(mode="json")
    stored.at = utcnow()
    db.flush()
    return stored


def scores_of(db: Session, row: Practice) -> dict[str, float]:
    """Each criterion's mean score over the coordinators who scored it."""
    sums: dict[str, list[int]] = {}
    for stored in db.scalars(sa.select(PracticeScore).where(PracticeScore.practice_id == row.id)):
        for criterion, value in stored.scores.items():
            if criterion != "comment" and value is not None:
                sums.setdefault(criterion, []).append(int(value))
    return {c: sum(v) / len(v) for c, v in sums.items()}


def attach(db: Session, ref: str, asker: Asker, filename: str, data: bytes) -> PracticeFile:
    """The author adds a file to a draft or a returned practice (checked by its content)."""
    row = find(db, ref)
    _move(db, row, asker, "edit")
    if len(data) > MOST_BYTES:
        raise RecordError("file_too_large", str(MOST_BYTES))
    kind = content_type(data)
    if kind is None:
        raise RecordError("file_kind")
    added = PracticeFile(practice_id=row.id, name=safe_name(filename), kind=kind, data=data)
    added.size, added.added_by = len(data), asker.user
    db.add(added)
    db.flush()
    return added


def files(db: Session, row: Practice) -> list[PracticeFile]:
    """The practice's files not withdrawn, oldest first (without their bytes)."""
    return list(
        db.scalars(
            sa.select(PracticeFile)
            .where(PracticeFile.practice_id == row.id, PracticeFile.withdrawn_at.is_(None))
            .order_by(PracticeFile.id)
            .options(sa.orm.defer(PracticeFile.data))
        )
    )


def file_for(db: Session, ref: str, file_id: int, asker: Asker) -> PracticeFile:
    """A file of a practice the asker may read."""
    row = read(db, ref, asker)
    found = db.get(PracticeFile, file_id)
    if found is None or found.practice_id != row.id or found.withdrawn_at is not None:
        raise RecordError("no_such_file")
    return found


def withdraw_file(db: Session, ref: str, file_id: int, asker: Asker) -> PracticeFile:
    """The author takes a file off a practice they may still edit; it is kept."""
    found = file_for(db, ref, file_id, asker)
    row = find(db, ref)
    _move(db, row, asker, "edit")
    found.withdrawn_at = utcnow()
    return found


@dataclass(frozen=True)
class Query:
    """What a library search asks for; empty fields ask nothing."""

    text: str = ""
    theme: str = ""
    region: str = ""
    organisation: str = ""


def library(
    db: Session,
    community: Community | None,
    query: Query = Query(),
    limit: int = 20,
    offset: int = 0,
) -> tuple[list[Practice], int]:
    """Published practices matching ``query``, newest first, and how many match."""
    where: list[Any] = [Practice.state == "published"]
    if community is not None:
        where.append(Practice.community_id == community.id)
    if query.theme:
        where.append(Practice.themes.contains(f" {query.theme} ", autoescape=True))
    if query.region:
        where.append(Practice.region == query.region)
    if query.organisation:
        where.append(Practice.organisation == query.organisation)
    if query.text.strip():
        where.append(search.matches(db, query.text))
    total = db.scalar(sa.select(sa.func.count()).select_from(Practice).where(*where)) or 0
    rows = db.scalars(
        sa.select(Practice)
        .where(*where)
        .order_by(Practice.published_at.desc(), Practice.id.desc())
        .limit(limit)
        .offset(offset)
        .options(
            sa.orm.defer(Practice.sheet),
            sa.orm.defer(Practice.search_text),
            sa.orm.defer(Practice.stems),
        )
    )
    return list(rows), total


def mine(db: Session, community: Community, asker: Asker) -> list[Practice]:
    """The asker's own practices in ``community`` not withdrawn, newest change first."""
    return _listed(db, community, [Practice.author == asker.user])


def to_review(db: Session, community: Community, asker: Asker) -> list[Practice]:
    """For a coordinator: the practices submitted and waiting, oldest first."""
    require(db, community, asker, "review")
    return list(reversed(_listed(db, community, [Practice.state == "submitted"])))


def _listed(db: Session, community: Community, where: Sequence[Any]) -> list[Practice]:
    return list(
        db.scalars(
            sa.select(Practice)
            .where(Practice.community_id == community.id, Practice.state != "withdrawn", *where)
            .order_by(Practice.updated_at.desc(), Practice.id.desc())
        )
    )
