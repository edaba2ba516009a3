"""Read and save learner profiles in the tool's database; a saved change is an event too."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Session

from opes_lti.core.db import utcnow
from opes_lti.events import outbox
from opes_lti.events.domain import Context, LearnerProfileUpdated, ProfilePayload
from opes_lti.learners.models import LearnerProfile
from opes_lti.learners.profile import Profile, ProfileError, clean, prefill

__all__ = ["Profile", "ProfileError", "clean", "get", "prefill", "save"]


def get(db: Session, user: str) -> Profile | None:
    """The stored profile, or None if the learner has not been asked yet."""
    row = db.scalar(sa.select(LearnerProfile).where(LearnerProfile.user == user))
    return Profile(row.role, row.organisation, row.region) if row else None


def save(db: Session, user: str, profile: Profile, context: Context, source: str) -> None:
    """Store the profile and emit ``learner.profile_updated`` in the caller's transaction."""
    row = db.scalar(sa.select(LearnerProfile).where(LearnerProfile.user == user))
    if row is None:
        row = LearnerProfile(user=user)
        db.add(row)
    row.role, row.organisation, row.region = profile.role, profile.organisation, profile.region
    db.flush()
    outbox.emit(
        db,
        LearnerProfileUpdated(
            id=uuid.uuid4(),
            type="learner.profile_updated",
            occurred_at=utcnow(),
            source=source,
            actor=profile.actor(user),
            context=context,
            payload=ProfilePayload.model_validate(profile.as_dict()),
        ),
    )
