"""Launch state in the database and in Redis: values taken once, keys claimed once."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from opes_lti.core.db import Database
from opes_lti.lti.models import LaunchValue
from opes_lti.lti.store import DatabaseStore, LaunchStore, RedisStore

REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture(params=["database", "redis"])
def store(request: pytest.FixtureRequest, database: Database) -> Iterator[LaunchStore]:
    if request.param == "database":
        yield DatabaseStore(database.sessions)
        return
    redis_store = RedisStore(REDIS_URL, prefix=f"opes-test-{uuid.uuid4().hex}:")
    yield redis_store
    for key in redis_store.redis.scan_iter(redis_store.prefix + "*"):
        redis_store.redis.delete(key)


def test_store_take_gives_a_value_once(store: LaunchStore) -> None:
    store.put("state:a", {"nonce": "n"}, 60)
    assert store.get("state:a") == {"nonce": "n"}
    assert store.take("state:a") == {"nonce": "n"}
    assert store.take("state:a") is None
    assert store.get("state:a") is None


def test_store_claim_succeeds_once(store: LaunchStore) -> None:
    assert store.claim("nonce:x", 60) is True
    assert store.claim("nonce:x", 60) is False


def test_store_take_and_claim_does_both_once(store: LaunchStore) -> None:
    store.put("state:t", {"nonce": "n"}, 60)
    assert store.take_and_claim("state:t", "nonce:t", 60) == ({"nonce": "n"}, True)
    assert store.take_and_claim("state:t", "nonce:t", 60) == (None, False)
    store.put("state:t", {"nonce": "n"}, 60)  # a state made again with a spent nonce
    assert store.take_and_claim("state:t", "nonce:t", 60) == ({"nonce": "n"}, False)
    store.put("state:u", {"v": 1}, 60)
    assert store.take_and_claim("state:u", None, 60) == ({"v": 1}, False)


def test_store_values_expire(store: LaunchStore) -> None:
    store.put("state:b", {"v": 1}, 1)
    assert store.claim("nonce:y", 1) is True
    time.sleep(2.1)
    assert store.take("state:b") is None
    assert store.claim("nonce:y", 1) is True


def test_store_concurrent_takes_let_one_winner_through(store: LaunchStore) -> None:
    store.put("state:c", {"v": 1}, 60)
    results: list[object] = []
    barrier = threading.Barrier(6)

    def take() -> None:
        barrier.wait()
        results.append(store.take("state:c"))

    threads = [threading.Thread(target=take) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sum(r is not None for r in results) == 1
    assert len(results) == 6


def test_store_concurrent_claims_let_one_winner_through(store: LaunchStore) -> None:
    results: list[bool] = []
    barrier = threading.Barrier(6)

    def claim() -> None:
        barrier.wait()
        results.append(store.claim("nonce:z", 60))

    threads = [threading.Thread(target=claim) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(results) == [False] * 5 + [True]


def test_store_database_sweeps_spent_nonces(database: Database) -> None:
    store = DatabaseStore(database.sessions)
    store.PURGE_EVERY = 3
    for n in range(2):
        assert store.claim(f"nonce:old-{n}", 1)
    time.sleep(1.1)
    assert store.claim("nonce:new", 60)  # the third claim sweeps the expired two
    with database.sessions() as db:
        keys = set(db.scalars(sa.select(LaunchValue.key)))
    assert keys == {"nonce:new"}
