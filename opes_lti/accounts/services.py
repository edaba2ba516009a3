"""Creating accounts and checking passwords."""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from opes_lti.accounts import throttle
from opes_lti.accounts.models import Account
from opes_lti.core.auth import ROLES
from opes_lti.core.db import utcnow

MIN_PASSWORD = 12
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,99}$")
# Checked against when the username is unknown, so both paths take as long.
_DUMMY_HASH = generate_password_hash("not a real password, only for timing")


class AccountError(ValueError):
    """An account operation that cannot be done, with a message for the operator."""


def add_account(db: Session, username: str, password: str, role: str) -> Account:
    """Create an account."""
    if not _USERNAME.match(username):
        raise AccountError("use 2-100 lower-case letters, digits, '.', '_', '@' or '-'")
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password needs at least {MIN_PASSWORD} characters")
    if db.scalar(sa.select(Account.id).where(Account.username == username)) is not None:
        raise AccountError(f"an account named {username!r} exists already")
    account = Account(username=username, password_hash=generate_password_hash(password), role=role)
    db.add(account)
    db.flush()
    return account


def authenticate(db: Session, username: str, password: str) -> Account | None:
    """The account if the password is right, else None (in the same time either way)."""
    account = db.scalar(sa.select(Account).where(Account.username == username.strip().lower()))
    if account is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(account.password_hash, password):
        return None
    account.last_login_at = utcnow()
    return account


def set_password(db: Session, username: str, password: str) -> Account:
    """Give account ``username`` a new password (and lift any sign-in lock on it)."""
    account = db.scalar(sa.select(Account).where(Account.username == username))
    if account is None:
        raise AccountError(f"no account named {username!r}")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password needs at least {MIN_PASSWORD} characters")
    account.password_hash = generate_password_hash(password)
    throttle.forget(db, throttle.keys(username, None)[:1])
    return account


def list_accounts(db: Session) -> list[Account]:
    """Every account."""
    return list(db.scalars(sa.select(Account).order_by(Account.username)))


def remove_account(db: Session, username: str) -> None:
    """Delete an account."""
    account = db.scalar(sa.select(Account).where(Account.username == username))
    if account is None:
        raise AccountError(f"no account named {username!r}")
    db.delete(account)
