"""Failed sign-ins slow the next ones: per account, per address, the owner back in after."""

from __future__ import annotations

import re
import time

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st

from opes_lti.accounts import services, throttle
from opes_lti.app import create_app
from opes_lti.core.db import Database
from opes_lti.core.settings import Settings

PASSWORD = "a long enough password"


@pytest.fixture
def quick_app(settings: Settings, database: Database) -> Flask:
    # The first lock lasts a second, so the test sees it end without waiting minutes.
    app = create_app(settings.with_overrides(signin_lock_seconds=1.0), database=database)
    with database.transaction() as db:
        services.add_account(db, "anna", PASSWORD, "admin")
    return app


def _attempt(client: FlaskClient, username: str, password: str, address: str) -> object:
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf" value="([^"]+)"', page)
    assert token
    return client.post(
        "/login",
        data={"csrf": token.group(1), "username": username, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def test_guessing_is_throttled_and_the_owner_gets_back_in(quick_app: Flask) -> None:
    attacker = quick_app.test_client()
    answers = [
        _attempt(attacker, "anna", f"guess {n}", "127.0.0.9").status_code  # type: ignore[attr-defined]
        for n in range(30)
    ]
    assert answers[: throttle.FREE_FAILURES] == [401] * throttle.FREE_FAILURES
    assert 429 in answers
    # While locked, even the right password is not checked.
    locked = _attempt(attacker, "anna", PASSWORD, "127.0.0.9")
    assert locked.status_code == 429  # type: ignore[attr-defined]
    assert int(locked.headers["Retry-After"]) >= 1  # type: ignore[attr-defined]
    text = locked.get_data(as_text=True)  # type: ignore[attr-defined]
    assert "Troppi tentativi" in text
    assert 'role="alert"' in text
    # The attacker stops; the owner, from elsewhere, is in once the lock is over.
    owner = quick_app.test_client()
    deadline = time.monotonic() + 120
    while True:
        answer = _attempt(owner, "anna", PASSWORD, "127.0.0.20")
        if answer.status_code == 302:  # type: ignore[attr-defined]
            break
        assert answer.status_code == 429  # type: ignore[attr-defined]
        assert time.monotonic() < deadline, "the owner was never let back in"
        time.sleep(float(answer.headers["Retry-After"]) / 4)  # type: ignore[attr-defined]
    # And the account's count starts again from zero.
    assert _attempt(owner, "anna", "one typo", "127.0.0.20").status_code == 401  # type: ignore[attr-defined]


def test_one_address_guessing_many_accounts_is_throttled(quick_app: Flask) -> None:
    client = quick_app.test_client()
    answers = [
        _attempt(client, f"user{n}", "guess", "127.0.0.7").status_code  # type: ignore[attr-defined]
        for n in range(12)
    ]
    assert 429 in answers  # by address: every account name is new
    # Another address is not affected.
    other = _attempt(quick_app.test_client(), "anna", PASSWORD, "127.0.0.8")
    assert other.status_code == 302  # type: ignore[attr-defined]


def test_the_count_is_shared_by_every_worker(settings: Settings, database: Database) -> None:
    # Two apps on one database are two workers: failures at one lock the other.
    first = create_app(settings, database=database)
    second = create_app(settings, database=database)
    with database.transaction() as db:
        services.add_account(db, "anna", PASSWORD, "admin")
    for n in range(throttle.FREE_FAILURES):
        app = first if n % 2 else second
        _attempt(app.test_client(), "anna", f"guess {n}", "127.0.0.5")
    assert _attempt(second.test_client(), "anna", PASSWORD, "127.0.0.5").status_code == 429  # type: ignore[attr-defined]


@given(failures=st.integers(0, 10_000), first=st.floats(0.1, 600))
def test_the_lock_grows_with_failures_up_to_its_ceiling(failures: int, first: float) -> None:
    now = throttle.lock_seconds(failures, first)
    more = throttle.lock_seconds(failures + 1, first)
    assert 0 <= now <= more <= throttle.MAX_LOCK_SECONDS
    assert (now == 0) == (failures < throttle.FREE_FAILURES)


def _attempt_via_proxy(client: FlaskClient, username: str, forwarded_for: str) -> int:
    page = client.get("/login", environ_base={"REMOTE_ADDR": "127.0.0.1"}).get_data(as_text=True)
    token = re.search(r'name="csrf" value="([^"]+)"', page)
    assert token
    return client.post(
        "/login",
        data={"csrf": token.group(1), "username": username, "password": "wrong"},
        environ_base={"REMOTE_ADDR": "127.0.0.1"},  # the proxy
        headers={"X-Forwarded-For": forwarded_for},
    ).status_code


@pytest.mark.parametrize("hops", [0, 1])
def test_behind_a_proxy_the_throttle_counts_the_client_address_the_proxy_saw(
    settings: Settings, database: Database, hops: int
) -> None:
    app = create_app(settings.with_overrides(proxy_hops=hops), database=database)
    client = app.test_client()
    # One client guesses across many accounts, then another client tries once.
    for n in range(throttle.FREE_FAILURES + 1):
        _attempt_via_proxy(client, f"user{n}", "127.0.0.50")
    other = _attempt_via_proxy(client, "someone", "127.0.0.60")
    # Trusting the proxy, the second client is a different address and is not locked;
    # not trusting it (no proxy configured), everyone is the proxy and shares the lock.
    assert other == (401 if hops else 429)
    # The locked client cannot slip out by sending its own header: the proxy appends the
    # address it saw, and only that last one is trusted.
    forged = _attempt_via_proxy(client, "someone-else", "127.0.0.70, 127.0.0.50")
    assert forged == 429
