"""Registered sources (the senders of events) and their bearer tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from opes_lti.core.tokens import LAST_USED_RESOLUTION, Caller, Registry, hash_token
from opes_lti.core.tokens import Issued as NewSource
from opes_lti.reporting.models import Source

__all__ = [
    "LAST_USED_RESOLUTION",
    "TOKEN_PREFIX",
    "Caller",
    "NewSource",
    "SourceError",
    "add_source",
    "authenticate",
    "ensure_source",
    "hash_token",
    "list_sources",
    "record_use",
    "revoke_source",
    "rotate_token",
]

TOKEN_PREFIX = "opes_"  # noqa: S105 - a public marker, not a secret


class SourceError(ValueError):
    """A source operation that cannot be done, with a message for the operator."""


REGISTRY = Registry(Source, TOKEN_PREFIX, "source", SourceError)


def add_source(db: Session, name: str) -> NewSource:
    """Register a sender; the returned token is shown once and never stored."""
    return REGISTRY.add(db, name)


def rotate_token(db: Session, name: str) -> NewSource:
    """Give a source a fresh token (and un-revoke it); the old token stops working."""
    return REGISTRY.rotate(db, name)


def ensure_source(db: Session, name: str) -> NewSource:
    """The named source with a fresh token, created if missing (embedded mode's own sender)."""
    return REGISTRY.ensure(db, name)


def revoke_source(db: Session, name: str) -> Source:
    """Stop accepting a source's token; its events stay."""
    source: Source = REGISTRY.revoke(db, name)
    return source


def list_sources(db: Session) -> list[Source]:
    """Every source, oldest first."""
    return REGISTRY.all(db)


def authenticate(db: Session, token: str | None) -> Caller | None:
    """The active source owning ``token``, or None."""
    return REGISTRY.authenticate(db, token)


def record_use(db: Session, caller: Caller, now: datetime | None = None) -> None:
    """Refresh the source's ``last_used_at`` if it is over a minute old."""
    REGISTRY.record_use(db, caller, now)
