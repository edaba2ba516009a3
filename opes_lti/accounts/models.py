"""Accounts table."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from opes_lti.core.db import Base, UTCDateTime, utcnow


class Account(Base):
    """A person who signs in with a username and password."""

    __tablename__ = "accounts"
    __table_args__ = (sa.CheckConstraint("role IN ('admin', 'coordinator')", name="role_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(100), unique=True)
    #: scrypt hash (werkzeug); the password itself is never stored.
    password_hash: Mapped[str] = mapped_column(sa.String(300))
    role: Mapped[str] = mapped_column(sa.String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: A disabled account cannot sign in; it is kept, with its scopes, for the record.
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:  # no hash in logs
        return f"Account({self.username!r}, {self.role!r})"


class SignInThrottle(Base):
    """Failed sign-ins counted per account and per client address, seen by every worker."""

    __tablename__ = "sign_in_throttle"

    #: ``account:<username>`` or ``address:<ip>``.
    key: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    #: The last failure: a quiet window after it forgets the count.
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: No attempt is checked before this moment, right password or not.
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AccountScope(Base):
    """One part of what a coordinator may see: ``region:12``, ``community:giovani``, ...

    An account with no scope row sees nothing; ``national`` sees everything. The dashboard
    joins on these rows, so a scope is never spelt into a query's text.
    """

    __tablename__ = "account_scopes"
    __table_args__ = (
        sa.CheckConstraint(
            "kind IN ('national', 'region', 'community', 'organisation', 'course')",
            name="kind_known",
        ),
    )

    account_id: Mapped[int] = mapped_column(
        sa.ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    value: Mapped[str] = mapped_column(sa.String(200), primary_key=True, default="")
