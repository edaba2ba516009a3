"""Read and save learner profiles; a saved change is an outcome event too."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from opes_lti.core.db import utcnow
from opes_lti.events import outbox
from opes_lti.events.domain import Actor, Context, LearnerProfileUpdated, ProfilePayload
from opes_lti.learners.models import LearnerProfile
from opes_lti.regions import REGIONS

ROLES = ("manager", "volunteer", "staff")
#: Custom parameters a platform or designer may send to prefill the profile.
PREFILL_KEYS = {"role": "opes_role", "organisation": "opes_organisation", "region": "opes_region"}
_BLANKS = re.compile(r"\s+")


class ProfileError(ValueError):
    """A profile field that cannot be stored; ``field`` names it."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)


@dataclass(frozen=True)
class Profile:
    """A learner's profile; None is a field they skipped."""

    role: str | None = None
    organisation: str | None = None
    region: str | None = None

    def actor(self, user: str) -> Actor:
        """The event actor for this learner."""
        return Actor(id=user, role=self.role, organisation=self.organisation, region=self.region)


def clean(raw: Mapping[str, Any]) -> Profile:
    """A profile from form values; :class:`ProfileError` names the first bad field."""
    role = (raw.get("role") or "").strip() or None
    if role is not None and role not in ROLES:
        raise ProfileError("role", "unknown role")
    # One printable line: the events carry it, and their schema refuses control characters.
    organisation = _BLANKS.sub(" ", str(raw.get("organisation") or ""))
    organisation = "".join(ch for ch in organisation if ch.isprintable()).strip() or None
    if organisation is not None and len(organisation) > 200:
        raise ProfileError("organisation", "at most 200 characters")
    region = (raw.get("region") or "").strip() or None
    if region is not None and region not in REGIONS:
        raise ProfileError("region", "unknown region")
    return Profile(role, organisation, region)


def prefill(custom: Mapping[str, Any]) -> Profile:
    """What the launch's custom parameters say, keeping only values that are valid."""
    values = {}
    for name, key in PREFILL_KEYS.items():
        try:
            values[name] = getattr(clean({name: custom.get(key)}), name)
        except ProfileError:
            values[name] = None
    return Profile(**values)


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
            payload=ProfilePayload(
                role=profile.role, organisation=profile.organisation, region=profile.region
            ),
        ),
    )
