"""A learner's own outbox (no outbox app) sends through the one Dispatcher's rules."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opes_lti.events.domain import parse_event
from opes_lti.reporting.models import StoredEvent
from opes_xblocks.fieldoutbox import MAX_PENDING, FieldOutbox
from opes_xblocks.sending import dispatcher_for
from tests.support.factories import event_json
from tests.support.servers import Trap, serve_wsgi


class Learner:
    """What FieldOutbox needs of a block: its ``pending_events`` field."""

    def __init__(self, pending: list[Any] | None = None) -> None:
        self.pending_events: list[Any] = pending or []


def _stored(app: Flask) -> int:
    with app.extensions["opes_db"].sessions() as db:
        return db.scalar(sa.select(sa.func.count()).select_from(StoredEvent)) or 0


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(kinds=st.lists(st.sampled_from(["good", "foreign", "again"]), min_size=1, max_size=25))
def test_what_the_service_accepts_or_refuses_for_good_leaves_the_learners_list(
    app: Flask, make_source: Callable[..., str], kinds: list[str]
) -> None:
    if "test_token" not in app.extensions:  # one source for every example
        app.extensions["test_token"] = make_source("openedx-test")
    token = app.extensions["test_token"]
    learner, emitted, good = Learner(), [], set()
    for kind in kinds:
        source = "someone-else" if kind == "foreign" else "openedx-test"
        if kind == "again" and emitted:
            event = emitted[-1]
        else:
            event = parse_event(event_json(source=source))
            if kind != "foreign":
                good.add(str(event.id))
        emitted.append(event)
        FieldOutbox(learner).emit(event)
    assert len(learner.pending_events) == len({str(e.id) for e in emitted})  # once per id
    before = _stored(app)
    with serve_wsgi(app) as url:
        sender = dispatcher_for(
            {"REPORTING_URL": url, "REPORTING_TOKEN": token}, FieldOutbox(learner)
        )
        assert sender is not None
        report = sender.run_once()
    assert learner.pending_events == []  # delivered, or refused for good (and logged)
    assert report.delivered == len(good)
    assert _stored(app) - before == len(good)


def test_an_unreachable_service_pushes_each_event_back_by_the_dispatchers_backoff() -> None:
    learner = Learner()
    FieldOutbox(learner).emit_all([parse_event(event_json()) for _ in range(3)])
    trap = Trap()  # takes the connection and closes it: a transient failure
    try:
        settings_ = {"REPORTING_URL": trap.url, "REPORTING_TOKEN": "t"}
        sender = dispatcher_for(settings_, FieldOutbox(learner), timeout=5.0)
        assert sender is not None
        assert sender.run_once().failure
        assert {e["attempts"] for e in learner.pending_events} == {1}
        assert all(e["due"] > time.time() for e in learner.pending_events)
        connections = trap.connections
        assert sender.run_once().claimed == 0  # nothing due yet: no new connection
        assert trap.connections == connections
    finally:
        trap.close()


def test_events_kept_by_the_first_release_are_read_and_sent(
    app: Flask, make_source: Callable[..., str]
) -> None:
    token = make_source("openedx-test")
    old = [json.dumps(event_json(source="openedx-test")) for _ in range(2)]
    learner = Learner(list(old))
    claim = FieldOutbox(learner).claim(10, timedelta(0), datetime.now(UTC))
    assert [item.body for item in claim.items] == old
    with serve_wsgi(app) as url:
        sender = dispatcher_for(
            {"REPORTING_URL": url, "REPORTING_TOKEN": token}, FieldOutbox(learner)
        )
        assert sender is not None
        assert sender.run_once().delivered == 2
    assert learner.pending_events == []


def test_the_list_keeps_the_newest_events_up_to_its_bound() -> None:
    learner = Learner()
    events = [parse_event(event_json()) for _ in range(MAX_PENDING + 7)]
    FieldOutbox(learner).emit_all(events)
    assert len(learner.pending_events) == MAX_PENDING
    kept = [json.loads(e["body"])["id"] for e in learner.pending_events]
    assert kept == [str(e.id) for e in events[-MAX_PENDING:]]
