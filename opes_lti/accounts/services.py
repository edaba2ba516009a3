"""Creating accounts and checking passwords."""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from opes_lti.accounts import throttle
from opes_lti.accounts.models import Account, AccountScope
from opes_lti.core.auth import ROLES
from opes_lti.core.db import utcnow
from opes_lti.regions import REGIONS

SCOPE_KINDS = ("national", "region", "community", "organisation")

MIN_PASSWORD = 12
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,99}$")
# Checked against when the username is unknown, so both paths take as long.
_DUMMY_HASH = generate_password_hash("not a real password, only for timing")


class AccountError(ValueError):
    """An account operation that cannot be done, with a message for the operator."""


def add_account(
    db: Session, username: str, password: str, role: str, scopes: Sequence[str] = ()
) -> Account:
    """Create an account; a coordinator sees what its ``scopes`` (``region:12``...) cover."""
    if not _USERNAME.match(username):
        raise AccountError("use 2-100 lower-case letters, digits, '.', '_', '@' or '-'")
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password needs at least {MIN_PASSWORD} characters")
    if db.scalar(sa.select(Account.id).where(Account.username == username)) is not None:
        raise AccountError(f"an account named {username!r} exists already")
    parsed = [scope_of(text) for text in scopes]
    if role == "coordinator" and not parsed:
        raise AccountError(
            "a coordinator needs at least one --scope: national, region:NN, community:NAME "
            "or organisation:ID"
        )
    account = Account(username=username, password_hash=generate_password_hash(password), role=role)
    db.add(account)
    db.flush()
    db.add_all(AccountScope(account_id=account.id, kind=k, value=v) for k, v in set(parsed))
    db.flush()
    return account


def scope_of(text: str) -> tuple[str, str]:
    """``region:12`` as (kind, value), or an AccountError saying how to write it."""
    kind, _, value = text.partition(":")
    kind, value = kind.strip(), value.strip()
    if kind not in SCOPE_KINDS:
        raise AccountError(
            f"unknown scope {text!r}: use national, region:NN, community:NAME or organisation:ID"
        )
    if (kind == "national") != (value == ""):
        raise AccountError(
            "'national' takes no value" if value else f"scope {kind} needs a value: {kind}:X"
        )
    if kind == "region" and value not in REGIONS:
        raise AccountError(f"region must be an ISTAT code 01-20, not {value!r}")
    return kind, value


def scopes(db: Session, account: Account) -> list[str]:
    """An account's scopes as written (``national``, ``region:12``...)."""
    rows = db.execute(
        sa.select(AccountScope.kind, AccountScope.value)
        .where(AccountScope.account_id == account.id)
        .order_by(AccountScope.kind, AccountScope.value)
    )
    return [kind if not value else f"{kind}:{value}" for kind, value in rows]


def authenticate(db: Session, username: str, password: str) -> Account | None:
    """The account if the password is right, else None (in the same time either way)."""
    account = db.scalar(sa.select(Account).where(Account.username == username.strip().lower()))
    if account is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(account.password_hash, password):
        return None
    if account.disabled_at is not None:
        return None  # checked after the password, so both take the same time
    account.last_login_at = utcnow()
    return account


def set_password(db: Session, username: str, password: str) -> Account:
    """Give account ``username`` a new password (and lift any sign-in lock on it)."""
    account = _find(db, username)
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password needs at least {MIN_PASSWORD} characters")
    account.password_hash = generate_password_hash(password)
    throttle.forget(db, throttle.keys(username, None)[:1])
    return account


def list_accounts(db: Session) -> list[Account]:
    """Every account."""
    return list(db.scalars(sa.select(Account).order_by(Account.username)))


def disable_account(db: Session, username: str) -> Account:
    """Stop account ``username`` signing in; it is kept, with its scopes, for the record."""
    account = _find(db, username)
    if account.disabled_at is not None:
        raise AccountError(f"account {username!r} is disabled already")
    account.disabled_at = utcnow()
    return account


def enable_account(db: Session, username: str) -> Account:
    """Let a disabled account sign in again."""
    account = _find(db, username)
    account.disabled_at = None
    return account


def _find(db: Session, username: str) -> Account:
    account = db.scalar(sa.select(Account).where(Account.username == username))
    if account is None:
        raise AccountError(f"no account named {username!r}")
    return account


DEMO_COORDINATOR = "coordinatrice-demo"


def demo_coordinator(db: Session) -> str:
    """The embedded demo's national coordinator, with a new password each start (returned).

    Only the embedded default on a loopback address calls this: a password printed to the
    console of the machine it serves is as private as that machine.
    """
    password = secrets.token_urlsafe(12)
    account = db.scalar(sa.select(Account).where(Account.username == DEMO_COORDINATOR))
    if account is None:
        add_account(db, DEMO_COORDINATOR, password, "coordinator", ["national"])
    else:
        account.password_hash = generate_password_hash(password)
        account.disabled_at = None
    return password
