"""Named bearer tokens: shown once, stored as a hash, rotated, revoked, last use kept.

The reporting service's sources and the tool's sites (the LMSs whose blocks call its
API) are both registries of this kind; each is a :class:`Registry` over its own table.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from opes_lti.core.db import UTCDateTime, utcnow

#: How stale ``last_used_at`` may get before a request refreshes it.
LAST_USED_RESOLUTION = timedelta(minutes=1)
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")


class TokenColumns:
    """The columns of a registry's table, mixed into its model (beside its own ``id``)."""

    #: The holder's name (a source's events must carry it).
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    #: SHA-256 of the bearer token; the token itself is shown once and never stored.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Set when the token is revoked: refused with 401 from then on, nothing deleted.
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Refreshed at most once a minute, so busy holders do not write on every request.
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def active(self) -> bool:
        """True while the token is accepted."""
        return self.revoked_at is None


def hash_token(token: str) -> str:
    """Tokens are 256-bit random, so one SHA-256 suffices (no password stretching needed)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Issued:
    """A row just given a token: the only moment the token is known in clear."""

    row: Any
    token: str


@dataclass(frozen=True)
class Caller:
    """Who a request's token belongs to: what a view needs, without an ORM object."""

    id: int
    name: str
    last_used_at: datetime | None = None


class Registry:
    """Token operations over ``model`` (columns: id, name, token_hash, revoked_at, ...)."""

    def __init__(self, model: Any, prefix: str, noun: str, error: type[ValueError]) -> None:
        self.model = model
        self.prefix = prefix
        self.noun = noun
        self.error = error

    def _new_token(self) -> str:
        return self.prefix + secrets.token_urlsafe(32)

    def _exists(self, db: Session, name: str) -> bool:
        return db.scalar(sa.select(self.model.id).where(self.model.name == name)) is not None

    def _find(self, db: Session, name: str) -> Any:
        row = db.scalar(sa.select(self.model).where(self.model.name == name))
        if row is None:
            raise self.error(f"no {self.noun} named {name!r}")
        return row

    def add(self, db: Session, name: str) -> Issued:
        """Register ``name``; the returned token is shown once and never stored."""
        if not _NAME.match(name):
            raise self.error(
                f"invalid {self.noun} name {name!r}: use 1-100 lower-case letters, digits, "
                "'.', '_' or '-'"
            )
        if self._exists(db, name):
            raise self.error(
                f"a {self.noun} named {name!r} exists already; revoke it or pick another"
            )
        token = self._new_token()
        row = self.model(name=name, token_hash=hash_token(token))
        db.add(row)
        db.flush()
        return Issued(row, token)

    def rotate(self, db: Session, name: str) -> Issued:
        """A fresh token (and the row active again); the old token stops working."""
        row = self._find(db, name)
        token = self._new_token()
        row.token_hash = hash_token(token)
        row.revoked_at = None
        db.flush()
        return Issued(row, token)

    def ensure(self, db: Session, name: str) -> Issued:
        """The named row with a fresh token, created if missing."""
        return self.rotate(db, name) if self._exists(db, name) else self.add(db, name)

    def revoke(self, db: Session, name: str) -> Any:
        """Stop accepting the token; nothing the holder did is deleted."""
        row = self._find(db, name)
        if row.revoked_at is None:
            row.revoked_at = utcnow()
        return row

    def all(self, db: Session) -> list[Any]:
        """Every row, oldest first."""
        return list(db.scalars(sa.select(self.model).order_by(self.model.id)))

    def authenticate(self, db: Session, token: str | None) -> Caller | None:
        """The active holder of ``token``, or None.

        It runs on every API request, so it reads four columns with Core rather than
        loading an ORM object, and writes nothing (see :meth:`record_use`).
        """
        if not token or not token.startswith(self.prefix):
            return None
        digest = hash_token(token)
        m = self.model
        row = (
            db.connection()
            .execute(
                sa.select(m.id, m.name, m.token_hash, m.last_used_at).where(
                    m.token_hash == digest, m.revoked_at.is_(None)
                )
            )
            .first()
        )
        # The lookup is by hash, so timing reveals nothing of the token; compare anyway
        # to be independent of how the database compares strings.
        if row is None or not hmac.compare_digest(row.token_hash, digest):
            return None
        return Caller(row.id, row.name, row.last_used_at)

    def record_use(self, db: Session, caller: Caller, now: datetime | None = None) -> None:
        """Refresh ``last_used_at`` if it is over a minute old.

        Called last, just before the commit, so the row lock it takes is held for the
        commit only: concurrent requests from one holder do not queue behind each other.
        """
        now = now or utcnow()
        if caller.last_used_at is None or now - caller.last_used_at > LAST_USED_RESOLUTION:
            db.execute(
                sa.update(self.model).where(self.model.id == caller.id).values(last_used_at=now)
            )
