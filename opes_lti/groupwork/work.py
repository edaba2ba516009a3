"""A group's shared draft and its submission.

A save names the version it was based on; a save based on an older version than the
latest is refused with both texts (``groups.drafts.Conflict``), so two members editing at
once never lose text silently. Submitting takes the version the submitter confirmed:
if someone saved after the confirmation was shown, the submission is refused and the
page shows the new version instead.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.orm import Session

from opes_lti.core.db import lock_for_change, utcnow
from opes_lti.events import outbox
from opes_lti.events.domain import Actor, GroupExerciseSubmitted, GroupWorkPayload
from opes_lti.groups import drafts
from opes_lti.groups.drafts import Conflict, Saved, Version
from opes_lti.groupwork import membership
from opes_lti.groupwork.errors import GroupworkError
from opes_lti.groupwork.exercises import context_of, settings_of
from opes_lti.groupwork.models import DraftVersion, Exercise, Group, GroupFile, Submission

#: Event ids are derived from what they describe, so a retried submit emits one event.
EVENTS = uuid.UUID("6a0b0d3e-8f0f-4a57-9d5e-2b1f6f1c0a11")


def _version(row: DraftVersion) -> Version:
    return Version(row.version, row.text, row.author, row.saved_at)


def latest(db: Session, group: Group) -> Version | None:
    """The draft as last saved, or None before the first save."""
    row = db.scalar(
        sa.select(DraftVersion)
        .where(DraftVersion.group_id == group.id)
        .order_by(DraftVersion.version.desc())
        .limit(1)
    )
    return _version(row) if row else None


def versions(db: Session, group: Group) -> list[Version]:
    """Every saved version, newest first."""
    rows = db.scalars(
        sa.select(DraftVersion)
        .where(DraftVersion.group_id == group.id)
        .order_by(DraftVersion.version.desc())
    )
    return [_version(r) for r in rows]


def version(db: Session, group: Group, number: int) -> Version:
    """One version, or ``no_such_version``."""
    row = db.scalar(
        sa.select(DraftVersion).where(
            DraftVersion.group_id == group.id, DraftVersion.version == number
        )
    )
    if row is None:
        raise GroupworkError("no_such_version", str(number))
    return _version(row)


def submission(db: Session, group: Group) -> Submission | None:
    """What the group handed in, if it has."""
    return db.scalar(sa.select(Submission).where(Submission.group_id == group.id))


def _lock_group(db: Session, group: Group) -> None:
    query = sa.select(Group.id).where(Group.id == group.id)
    db.execute(lock_for_change(db, query, Group, Group.id == group.id))


def require_member(db: Session, exercise: Exercise, group: Group, user: str) -> None:
    """Only a current member may write in a group."""
    mine = membership.membership_of(db, exercise, user)
    if mine is None or mine.group_id != group.id:
        raise GroupworkError("not_member")


def can_read(db: Session, exercise: Exercise, group: Group, user: str) -> bool:
    """Current members read the group; former members keep reading what they shared."""
    return any(m.user == user for m in membership.history(db, group))


def save(
    db: Session, exercise: Exercise, group: Group, user: str, based_on: int, text: str
) -> Saved | Conflict:
    """Save the draft for a member; a conflict stores nothing and shows both texts."""
    require_member(db, exercise, group, user)
    _lock_group(db, group)  # two saves at once: the second sees the first's version
    if submission(db, group) is not None:
        raise GroupworkError("submitted")
    try:
        outcome = drafts.save(latest(db, group), based_on, text, user, utcnow())
    except drafts.DraftError as exc:
        raise GroupworkError("too_long" if exc.what == "too_long" else "no_such_version") from None
    if isinstance(outcome, Saved) and outcome.changed:
        db.add(
            DraftVersion(
                group_id=group.id,
                version=outcome.version.number,
                text=outcome.version.text,
                author=user,
                saved_at=outcome.version.at,
            )
        )
        db.flush()
    return outcome


def checked_link(link: str) -> str:
    """An http(s) address with a host, or ``bad_link``: no script or file URLs handed in."""
    link = link.strip()
    try:
        parts = urlsplit(link)
    except ValueError:
        raise GroupworkError("bad_link") from None
    if parts.scheme not in ("http", "https") or not parts.hostname or len(link) > 2000:
        raise GroupworkError("bad_link")
    return link


def submit(
    db: Session,
    exercise: Exercise,
    group: Group,
    user: str,
    confirmed: int,
    actor: Actor,
    source: str,
    link: str = "",
    file_id: int | None = None,
    now: datetime | None = None,
) -> Submission:
    """Hand in the group's deliverable for a member who confirmed version ``confirmed``.

    The outcome event goes through the outbox in the same transaction. Past the
    deadline the submission is marked late or refused, as the designer set.
    """
    require_member(db, exercise, group, user)
    _lock_group(db, group)
    if submission(db, group) is not None:
        raise GroupworkError("submitted")
    settings = settings_of(exercise)
    now = now or utcnow()
    late = settings.due is not None and now > settings.due
    if late and settings.late == "refused":
        raise GroupworkError("refused_late")
    row = Submission(group_id=group.id, submitted_by=user, submitted_at=now, late=late)
    if settings.deliverable == "text":
        current = latest(db, group)
        if current is None or not current.text.strip():
            raise GroupworkError("nothing_to_submit")
        if current.number != confirmed:
            raise GroupworkError("stale_confirmation", str(current.number))
        row.version, row.text = current.number, current.text
    elif settings.deliverable == "link":
        row.link = checked_link(link)
    else:
        found = db.get(GroupFile, file_id) if file_id is not None else None
        if found is None or found.group_id != group.id or found.withdrawn_at is not None:
            raise GroupworkError("nothing_to_submit")
        row.file_id = found.id
    row.members = sorted(m.user for m in membership.members(db, group))
    db.add(row)
    db.flush()
    outbox.emit(
        db,
        GroupExerciseSubmitted(
            id=uuid.uuid5(EVENTS, f"submitted|{row.id}"),
            type="group_exercise.submitted",
            occurred_at=now,
            source=source,
            actor=actor,
            context=context_of(exercise),
            payload=GroupWorkPayload(
                exercise=str(exercise.id),
                group=str(group.id),
                submission=str(row.id),
                members=max(1, len(row.members)),
            ),
        ),
    )
    return row
