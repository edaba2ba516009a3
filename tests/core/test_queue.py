"""The leased work queue in a table: claims are disjoint, settlements keep to their holder.

A scratch table of its own carries :class:`QueueRow`, so what is tested is the module, not
the outbox or the grade queue built on it (those have their own tests and the store
contract in ``tests/xblocks/test_outbox_store.py``).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from opes_lti.core import queue
from opes_lti.core.db import Database
from tests.conftest import BACKENDS

LEASE = timedelta(seconds=60)


class Scratch(DeclarativeBase):
    pass


class Job(queue.QueueRow, Scratch):
    __tablename__ = "queue_test_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    done_by: Mapped[str | None] = mapped_column(sa.String(20))


@pytest.fixture
def jobs(database: Database) -> Iterator[Database]:
    Scratch.metadata.create_all(database.engine)
    yield database
    Scratch.metadata.drop_all(database.engine)


def _add(database: Database, count: int) -> None:
    past = datetime.now(UTC) - timedelta(seconds=1)
    with database.sessions.begin() as db:
        db.add_all(Job(id=i, next_attempt_at=past) for i in range(1, count + 1))


def _claim(db: Session, limit: int, now: datetime) -> tuple[str, list[int]]:
    token, rows = queue.claim_due(db, Job, Job.id, limit, LEASE, now)
    return token, [r.id for r in rows]


def _row(database: Database, job_id: int) -> Job:
    with database.sessions() as db:
        row = db.get(Job, job_id)
        assert row is not None
        db.expunge(row)
        return row


def test_workers_claiming_at_once_take_every_row_exactly_once(jobs: Database) -> None:
    _add(jobs, 60)
    taken: dict[str, list[int]] = {}
    start = threading.Barrier(3)
    now = datetime.now(UTC)

    def worker(name: str) -> None:
        start.wait(timeout=60)
        mine: list[int] = []
        while True:
            with jobs.sessions.begin() as db:
                _, ids = _claim(db, 4, now)
            if not ids:
                break
            mine += ids
        taken[name] = mine

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    every = [i for ids in taken.values() for i in ids]
    assert sorted(every) == list(range(1, 61))  # each row once: none twice, none missed
    assert all(ids == sorted(ids) for ids in taken.values())  # oldest first


# SQLite serialises writers instead; the PostgreSQL-off run says so in its summary.
@pytest.mark.parametrize("database_url", [b for b in BACKENDS if b == "postgresql"], indirect=True)
def test_on_postgresql_a_second_worker_skips_rows_held_open_instead_of_waiting(
    jobs: Database,
) -> None:
    _add(jobs, 6)
    now = datetime.now(UTC)
    with jobs.sessions.begin() as first:
        _, held = _claim(first, 3, now)
        # The first transaction is still open; the second would block without SKIP LOCKED.
        with jobs.sessions.begin() as second:
            second.execute(sa.text("SET LOCAL lock_timeout = '5s'"))
            _, other = _claim(second, 10, now)
    assert held == [1, 2, 3]
    assert other == [4, 5, 6]


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    outcome=st.sampled_from(["done", "failed", None]),
    holder=st.sampled_from(["first", "second", "nobody"]),
)
def test_a_retry_keeps_to_the_holder_and_a_final_outcome_is_recorded_regardless(
    jobs: Database, outcome: str | None, holder: str
) -> None:
    with jobs.sessions.begin() as db:
        db.execute(sa.delete(Job))
    _add(jobs, 1)
    now = datetime.now(UTC)
    with jobs.sessions.begin() as db:
        first, _ = _claim(db, 1, now)
    second = "never-claimed"
    if holder == "second":  # the first lease ran out and another worker took the row
        with jobs.sessions.begin() as db:
            second, _ = _claim(db, 1, now + LEASE + timedelta(seconds=1))
    token = {"first": first, "second": second, "nobody": "a-stranger"}[holder]
    retry_at = now + timedelta(minutes=5)
    with jobs.sessions.begin() as db:
        queue.settle(
            db,
            Job,
            Job.id == 1,
            token,
            status=outcome,
            reason="why",
            retry_at=retry_at,
            **({"done_by": holder} if outcome else {}),
        )
    row = _row(jobs, 1)
    current = second if holder == "second" else first
    if outcome is not None:
        assert (row.status, row.last_error, row.done_by) == (outcome, "why", holder)
        assert (row.claim_token, row.claimed_until) == (None, None)
    elif token == current:
        assert (row.status, row.attempts, row.last_error) == ("pending", 1, "why")
        assert (row.next_attempt_at, row.claim_token) == (retry_at, None)
    else:  # not ours: the holder's lease stands untouched
        assert (row.status, row.attempts, row.claim_token) == ("pending", 0, current)
