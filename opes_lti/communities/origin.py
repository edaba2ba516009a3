"""Where the events of a community's records come from, and whose they are."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from opes_lti.events.domain import Actor, Context
from opes_lti.learners import services as learners
from opes_lti.learners.profile import Profile


@dataclass(frozen=True)
class Origin:
    """The face and the course a change was made in (the events' source and context)."""

    source: str
    context: Context


def actor(db: Session, user: str) -> Actor:
    """The event actor for ``user``, with their own profile (never the asker's)."""
    return (learners.get(db, user) or Profile()).actor(user)
