"""Registered sources and their bearer tokens."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from opes_lti.core.db import utcnow
from opes_lti.reporting.models import Source

TOKEN_PREFIX = "opes_"  # noqa: S105 - a public marker, not a secret
#: How stale ``last_used_at`` may get before a request refreshes it.
LAST_USED_RESOLUTION = timedelta(minutes=1)
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")


class SourceError(ValueError):
    """A source operation that cannot be done, with a message for the operator."""


@dataclass(frozen=True)
class NewSource:
    """A source just created: the only moment its token is known in clear."""

    source: Source
    token: str


def hash_token(token: str) -> str:
    """Tokens are 256-bit random, so one SHA-256 suffices (no password stretching needed)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def add_source(db: Session, name: str) -> NewSource:
    """Register a sender; the returned token is shown once and never stored."""
    if not _NAME.match(name):
        raise SourceError(
            f"invalid source name {name!r}: use 1-100 lower-case letters, digits, '.', '_' or '-'"
        )
    if db.scalar(sa.select(Source.id).where(Source.name == name)) is not None:
        raise SourceError(f"a source named {name!r} exists already; revoke it or pick another")
    token = _new_token()
    source = Source(name=name, token_hash=hash_token(token))
    db.add(source)
    db.flush()
    return NewSource(source, token)


def rotate_token(db: Session, name: str) -> NewSource:
    """Give a source a fresh token (and un-revoke it); the old token stops working."""
    source = db.scalar(sa.select(Source).where(Source.name == name))
    if source is None:
        raise SourceError(f"no source named {name!r}")
    token = _new_token()
    source.token_hash = hash_token(token)
    source.revoked_at = None
    db.flush()
    return NewSource(source, token)


def ensure_source(db: Session, name: str) -> NewSource:
    """The named source with a fresh token, created if missing (embedded mode's own sender)."""
    if db.scalar(sa.select(Source.id).where(Source.name == name)) is None:
        return add_source(db, name)
    return rotate_token(db, name)


def revoke_source(db: Session, name: str) -> Source:
    """Stop accepting a source's token; its events stay."""
    source = db.scalar(sa.select(Source).where(Source.name == name))
    if source is None:
        raise SourceError(f"no source named {name!r}")
    if source.revoked_at is None:
        source.revoked_at = utcnow()
    return source


def list_sources(db: Session) -> list[Source]:
    """Every source, oldest first."""
    return list(db.scalars(sa.select(Source).order_by(Source.id)))


@dataclass(frozen=True)
class Caller:
    """The source behind a request: what ingestion needs, without an ORM object."""

    id: int
    name: str
    last_used_at: datetime | None = None


def authenticate(db: Session, token: str | None) -> Caller | None:
    """The active source owning ``token``, or None.

    It runs on every ingestion request, so it reads four columns with Core rather than
    loading an ORM object, and writes nothing (see :func:`record_use`).
    """
    if not token or not token.startswith(TOKEN_PREFIX):
        return None
    digest = hash_token(token)
    row = (
        db.connection()
        .execute(
            sa.select(Source.id, Source.name, Source.token_hash, Source.last_used_at).where(
                Source.token_hash == digest, Source.revoked_at.is_(None)
            )
        )
        .first()
    )
    # The lookup is by hash, so timing reveals nothing of the token; compare anyway to be
    # independent of how the database compares strings.
    if row is None or not hmac.compare_digest(row.token_hash, digest):
        return None
    return Caller(row.id, row.name, row.last_used_at)


def record_use(db: Session, caller: Caller, now: datetime | None = None) -> None:
    """Refresh the source's ``last_used_at`` if it is over a minute old.

    Called last, just before the commit, so the row lock it takes is held for the commit
    only: concurrent requests from one source do not queue behind each other's work.
    """
    now = now or utcnow()
    if caller.last_used_at is None or now - caller.last_used_at > LAST_USED_RESOLUTION:
        db.execute(sa.update(Source).where(Source.id == caller.id).values(last_used_at=now))
