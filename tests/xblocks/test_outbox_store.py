"""Every outbox store keeps the one contract the Dispatcher relies on.

The tool's table (:class:`SqlOutbox`, both databases), the LMS's table
(:class:`DjangoOutbox`) and a learner's own list (:class:`FieldOutbox`) are driven through
the same generated sequences of emits, claims, settlements and clock moves, and each must
answer as a small reference model does: once per id, oldest first, a lease that keeps
others off until it runs out, a retry recorded only by the lease's holder, a final outcome
recorded whoever holds the row.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opes_lti.core.db import Database
from opes_lti.events.delivery import Claim, OutboxStore, Settlement
from opes_lti.events.domain import OutcomeEvent, parse_event
from opes_lti.events.models import OutboxEntry
from opes_lti.events.outbox import SqlOutbox
from opes_xblocks.fieldoutbox import FieldOutbox
from tests.conftest import BACKENDS
from tests.support import databases, djangoconf
from tests.support.factories import event_json

#: Far enough ahead that events emitted on the real clock are due at every step.
START = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1)
EVENTS = 6


@dataclass
class Row:
    status: str = "pending"
    attempts: int = 0
    due: datetime | None = None  # None: due from the moment it was emitted
    lease_until: datetime | None = None
    token: str | None = None


@dataclass
class Model:
    """What a store should do; ``leased`` is False for a learner's list (one request)."""

    leased: bool
    rows: dict[str, Row] = field(default_factory=dict)

    def emit(self, event_id: str) -> None:
        row = self.rows.get(event_id)
        if row is None or (not self.leased and row.status != "pending"):
            # A learner's list forgets what it sent, so the same event comes back as new
            # (and last); the service's ingestion takes each id once all the same.
            self.rows.pop(event_id, None)
            self.rows[event_id] = Row()

    def claim(self, limit: int, lease: timedelta, now: datetime, token: str) -> list[str]:
        due = [
            event_id
            for event_id, row in self.rows.items()
            if row.status == "pending"
            and (row.due is None or row.due <= now)
            and (not self.leased or row.lease_until is None or row.lease_until < now)
        ][:limit]
        if self.leased:
            for event_id in due:
                self.rows[event_id].lease_until, self.rows[event_id].token = now + lease, token
        return due

    def settle(self, token: str, settlements: list[Settlement], now: datetime) -> None:
        for s in settlements:
            row = self.rows[s.event_id]
            if s.outcome != "retry":
                row.status, row.lease_until, row.token = s.outcome, None, None
            elif not self.leased or row.token == token:
                row.attempts += 1
                row.due = s.next_attempt_at or now
                row.lease_until, row.token = None, None

    def pending(self) -> dict[str, int]:
        return {i: r.attempts for i, r in self.rows.items() if r.status == "pending"}

    def state(self) -> dict[str, tuple[str, int]]:
        return {i: (r.status, r.attempts) for i, r in self.rows.items()}


@dataclass
class Subject:
    """A store under test, with how to empty it and how to read back what it holds."""

    store: OutboxStore
    leased: bool
    reset: Callable[[], None]
    #: event id -> (status, attempts) for leased stores; event id -> attempts otherwise.
    read: Callable[[], dict[str, Any]]


def _sql(database: Database) -> Subject:
    def reset() -> None:
        with database.sessions.begin() as db:
            db.execute(sa.delete(OutboxEntry))

    def read() -> dict[str, Any]:
        with database.sessions() as db:
            rows = db.execute(
                sa.select(OutboxEntry.event_id, OutboxEntry.status, OutboxEntry.attempts)
            )
            return {str(i): (s, a) for i, s, a in rows}

    return Subject(SqlOutbox(database.sessions), True, reset, read)


def _django() -> Subject:
    djangoconf.setup()
    from opes_xblocks.outbox.models import PendingEvent
    from opes_xblocks.outbox.store import DjangoOutbox

    def reset() -> None:
        PendingEvent.objects.all().delete()

    def read() -> dict[str, Any]:
        rows = PendingEvent.objects.values_list("event_id", "status", "attempts")
        return {i: (s, a) for i, s, a in rows}

    return Subject(DjangoOutbox(), True, reset, read)


class Learner:
    """What FieldOutbox needs of a block: its ``pending_events`` field."""

    pending_events: list[Any]


def _field() -> Subject:
    learner = Learner()
    learner.pending_events = []

    def reset() -> None:
        learner.pending_events = []

    def read() -> dict[str, Any]:
        return {json.loads(e["body"])["id"]: e["attempts"] for e in learner.pending_events}

    return Subject(FieldOutbox(learner), False, reset, read)


@pytest.fixture(params=[*BACKENDS, "django", "field"])
def subject(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Subject]:
    if request.param == "sqlite":
        url = databases.copy_sqlite(request.getfixturevalue("sqlite_template"), tmp_path)
    elif request.param == "postgresql":
        url = request.getfixturevalue("postgres_url")
    else:
        made = _django() if request.param == "django" else _field()
        yield made
        made.reset()
        return
    database = Database(url)
    yield _sql(database)
    if database.is_postgresql:
        databases.truncate_all(database)
    database.dispose()


STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("emit"), st.integers(0, EVENTS - 1)),
        st.tuples(st.just("advance"), st.sampled_from([0, 1, 29, 30, 31, 60])),
        st.tuples(st.just("claim"), st.integers(1, 4), st.sampled_from([30, 60])),
        st.tuples(
            st.just("settle"),
            st.integers(0, 50),
            st.lists(st.sampled_from(["delivered", "rejected", "retry"]), max_size=4),
            st.sampled_from([0, 10, 45]),
        ),
    ),
    min_size=1,
    max_size=30,
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(steps=STEPS)
def test_every_store_keeps_the_dispatchers_contract(subject: Subject, steps: list[Any]) -> None:
    subject.reset()
    events: list[OutcomeEvent] = [parse_event(event_json()) for _ in range(EVENTS)]
    model = Model(leased=subject.leased)
    claims: list[Claim] = []
    now = START
    for step in steps:
        if step[0] == "emit":
            event = events[step[1]]
            subject.store.emit(event)
            model.emit(str(event.id))
        elif step[0] == "advance":
            now += timedelta(seconds=step[1])
        elif step[0] == "claim":
            lease = timedelta(seconds=step[2])
            claim = subject.store.claim(step[1], lease, now)
            expected = model.claim(step[1], lease, now, claim.token)
            assert [i.event_id for i in claim.items] == expected, step
            for item in claim.items:
                assert item.attempts == model.rows[item.event_id].attempts
            claims.append(claim)
        elif claims:
            claim = claims[step[1] % len(claims)]
            retry_at = now + timedelta(seconds=step[3])
            settlements = [
                Settlement(item.event_id, outcome, "why", retry_at if outcome == "retry" else None)
                for item, outcome in zip(claim.items, step[2], strict=False)
            ]
            subject.store.settle(claim, settlements, now)
            model.settle(claim.token, settlements, now)
        held = subject.read()
        assert held == (model.state() if subject.leased else model.pending()), step


@pytest.mark.parametrize("make", [_django, _field], ids=["django", "field"])
def test_a_submissions_events_are_kept_once_however_often_they_come(
    make: Callable[[], Subject],
) -> None:
    subject = make()
    subject.reset()
    events = [parse_event(event_json()) for _ in range(3)]
    store: Any = subject.store
    store.emit_all([*events, events[0]])
    store.emit_all(events[1:])
    store.emit(events[2])
    assert sorted(subject.read()) == sorted(str(e.id) for e in events)
    subject.reset()
