"""Outbox delivery against the real reporting service over loopback HTTP."""

from __future__ import annotations

import io
import json
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from opes_lti.core.db import Database
from opes_lti.events import delivery
from opes_lti.events.delivery import Dispatcher, ReportingClient, backoff_delay
from opes_lti.events.domain import parse_event
from opes_lti.events.models import OutboxEntry
from opes_lti.events.outbox import SqlOutbox, emit, emit_all
from opes_lti.reporting.models import StoredEvent
from tests.support.factories import event_json
from tests.support.servers import serve_wsgi


class Receipts:
    """WSGI middleware counting how often each event id reached the service."""

    def __init__(self, app: Callable[..., Any]) -> None:
        self.app = app
        self.counts: Counter[str] = Counter()
        self.lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        try:
            ids = [item.get("id") for item in json.loads(body)]
        except (ValueError, TypeError, AttributeError):
            ids = []
        with self.lock:
            self.counts.update(ids)
        environ["wsgi.input"] = io.BytesIO(body)
        return self.app(environ, start_response)


@pytest.fixture
def reporting(app: Flask, make_source: Callable[..., str]) -> Iterator[tuple[str, str, Receipts]]:
    """The reporting app on a real port: (url, token of source 'tool-a', receipts)."""
    token = make_source("tool-a")
    receipts = Receipts(app.wsgi_app)
    app.wsgi_app = receipts  # type: ignore[method-assign]
    with serve_wsgi(app) as url:
        yield url, token, receipts


def emit_many(database: Database, count: int, **overrides: Any) -> list[str]:
    ids = []
    with database.transaction() as db:
        for _ in range(count):
            data = event_json(**overrides)
            emit(db, parse_event(data))
            ids.append(data["id"])
    return ids


def dispatcher(database: Database, url: str, token: str, **kwargs: Any) -> Dispatcher:
    client = ReportingClient(url, token, timeout=kwargs.pop("timeout", 5.0))
    return Dispatcher(SqlOutbox(database.sessions), client, **kwargs)


def stored_ids(database: Database) -> list[str]:
    with database.sessions() as db:
        return [str(i) for i in db.scalars(sa.select(StoredEvent.id))]


def outbox_rows(database: Database) -> list[OutboxEntry]:
    with database.sessions() as db:
        return list(db.scalars(sa.select(OutboxEntry).order_by(OutboxEntry.seq)))


# --- backoff ----------------------------------------------------------------------------


@pytest.mark.parametrize("attempt", range(1, 14))
def test_delivery_backoff_doubles_within_jitter_bounds_and_caps(attempt: int) -> None:
    full = min(60.0, 2.0 ** (attempt - 1))
    assert backoff_delay(attempt, cap=60.0, rng=lambda: 0.0) == full / 2
    assert backoff_delay(attempt, cap=60.0, rng=lambda: 1.0) == full
    assert full / 2 <= backoff_delay(attempt, cap=60.0) <= full


def test_delivery_backoff_jitter_spreads_senders() -> None:
    delays = {round(backoff_delay(6), 6) for _ in range(50)}
    assert len(delays) > 40


# --- the outbox table -------------------------------------------------------------------


def test_outbox_emit_is_part_of_the_callers_transaction(database: Database) -> None:
    def change_that_fails() -> None:
        with database.transaction() as db:
            emit(db, parse_event(event_json()))
            raise RuntimeError("the change this event describes failed")

    with pytest.raises(RuntimeError):
        change_that_fails()
    assert outbox_rows(database) == []


def test_outbox_emitting_the_same_event_twice_keeps_one_row(database: Database) -> None:
    event = parse_event(event_json())
    SqlOutbox(database.sessions).emit(event)
    SqlOutbox(database.sessions).emit(event)
    assert len(outbox_rows(database)) == 1


def test_outbox_emit_all_stores_each_new_event_once_and_counts_them(database: Database) -> None:
    events = [parse_event(event_json()) for _ in range(5)]
    with database.transaction() as db:
        assert emit_all(db, events[:3]) == 3
    with database.transaction() as db:
        assert emit_all(db, [*events, events[4]]) == 2  # repeats in one call count once
    assert sorted(r.event_id for r in outbox_rows(database)) == sorted(e.id for e in events)


def test_outbox_claim_holds_a_batch_until_its_lease_runs_out(database: Database) -> None:
    emit_many(database, 5)
    store = SqlOutbox(database.sessions)
    now = datetime.now(UTC)
    lease = timedelta(seconds=30)
    first = store.claim(3, lease, now)
    second = store.claim(10, lease, now)
    assert len(first.items) == 3
    assert len(second.items) == 2
    assert not {i.event_id for i in first.items} & {i.event_id for i in second.items}
    assert store.claim(10, lease, now).items == []
    # A dispatcher that died never settles: after the lease, others take its events.
    later = store.claim(10, lease, now + lease + timedelta(seconds=1))
    assert len(later.items) == 5


def test_outbox_retry_from_an_expired_lease_does_not_touch_the_new_holder(
    database: Database,
) -> None:
    emit_many(database, 1)
    store = SqlOutbox(database.sessions)
    now = datetime.now(UTC)
    stale = store.claim(1, timedelta(seconds=1), now)
    fresh = store.claim(1, timedelta(seconds=60), now + timedelta(seconds=2))
    item = stale.items[0]
    store.settle(stale, [delivery.Settlement(item.event_id, "retry", "late")], now)
    [row] = outbox_rows(database)
    assert row.claim_token == fresh.token
    assert row.attempts == 0


# --- delivery through HTTP --------------------------------------------------------------


def test_delivery_sends_every_event_once_and_marks_it_delivered(
    database: Database, reporting: tuple[str, str, Receipts]
) -> None:
    url, token, receipts = reporting
    ids = emit_many(database, 45)
    report = dispatcher(database, url, token, batch_size=20).drain()
    assert (report.claimed, report.delivered, report.rejected) == (45, 45, 0)
    assert sorted(stored_ids(database)) == sorted(ids)
    assert set(receipts.counts.values()) == {1}
    assert {r.status for r in outbox_rows(database)} == {"delivered"}
    assert SqlOutbox(database.sessions).counts() == {"pending": 0, "delivered": 45, "rejected": 0}


def test_delivery_sets_rejected_events_aside_with_the_reason_and_never_resends(
    database: Database, reporting: tuple[str, str, Receipts]
) -> None:
    url, token, receipts = reporting
    good = emit_many(database, 2)
    [bad] = emit_many(database, 1, source="someone-else")
    sender = dispatcher(database, url, token)
    report = sender.drain()
    assert (report.delivered, report.rejected) == (2, 1)
    assert sender.drain().claimed == 0
    assert receipts.counts[bad] == 1
    store = SqlOutbox(database.sessions)
    [row] = store.rejected()
    assert str(row.event_id) == bad
    assert "source" in row.last_error
    assert "rejected" in row.last_error
    assert sorted(stored_ids(database)) == sorted(good)
    # After the cause is fixed an operator can queue it again.
    assert store.requeue_rejected() == (1, 0)
    assert store.counts()["pending"] == 1


def test_delivery_retries_later_when_the_service_is_down(database: Database) -> None:
    emit_many(database, 3)
    # A port nothing listens on: connection refused at once.
    sender = dispatcher(database, "http://127.0.0.1:9", "opes_x", max_backoff=60)
    before = datetime.now(UTC)
    report = sender.run_once()
    assert (report.claimed, report.retried, report.delivered) == (3, 3, 0)
    assert "unreachable" in (report.failure or "")
    rows = outbox_rows(database)
    assert {r.status for r in rows} == {"pending"}
    assert {r.attempts for r in rows} == {1}
    assert all(r.next_attempt_at >= before + timedelta(seconds=0.5) for r in rows)
    assert all(r.claim_token is None for r in rows)
    # Not due yet: the next round claims nothing, and the dispatcher itself backs off.
    assert sender.run_once().claimed == 0
    assert sender.pause() > 0


@pytest.mark.parametrize("status", [401, 403, 429, 500, 503])
def test_delivery_keeps_events_when_the_service_refuses_the_whole_batch(
    database: Database, status: int
) -> None:
    def refuse(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response(f"{status} Nope", [("Content-Type", "application/json")])
        return [b'{"error": {"code": "x", "message": "no"}}']

    emit_many(database, 2)
    with serve_wsgi(refuse) as url:
        report = dispatcher(database, url, "opes_x").run_once()
    assert report.retried == 2
    assert f"HTTP {status}" in (report.failure or "")
    assert {r.status for r in outbox_rows(database)} == {"pending"}


def test_delivery_times_out_and_retries_when_the_service_hangs(database: Database) -> None:
    release = threading.Event()

    def hang(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        release.wait(5)
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b'{"results": [], "summary": {}}']

    emit_many(database, 2)
    with serve_wsgi(hang) as url:
        started = time.monotonic()
        report = dispatcher(database, url, "opes_x", timeout=0.3).run_once()
        elapsed = time.monotonic() - started
        release.set()
    assert report.retried == 2
    assert "Timeout" in (report.failure or "")
    assert elapsed < 3


def test_delivery_concurrent_dispatchers_never_send_an_event_twice(
    database: Database, reporting: tuple[str, str, Receipts]
) -> None:
    url, token, receipts = reporting
    ids = emit_many(database, 600)
    reports: list[delivery.DispatchReport] = []

    def work() -> None:
        reports.append(dispatcher(database, url, token, batch_size=25).drain())

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sum(r.delivered for r in reports) == 600
    assert sorted(receipts.counts) == sorted(ids)
    assert max(receipts.counts.values()) == 1, "an event was sent by two dispatchers"
    assert sorted(stored_ids(database)) == sorted(ids)


def test_delivery_run_loop_stops_when_asked(
    database: Database, reporting: tuple[str, str, Receipts]
) -> None:
    url, token, _ = reporting
    emit_many(database, 3)
    stop = threading.Event()
    thread = threading.Thread(
        target=dispatcher(database, url, token).run, args=(stop,), kwargs={"idle_seconds": 0.05}
    )
    thread.start()
    deadline = time.monotonic() + 90  # generous: it ends as soon as all three are stored
    while len(stored_ids(database)) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    thread.join(timeout=60)
    assert not thread.is_alive()
    assert len(stored_ids(database)) == 3


def test_delivery_client_never_shows_its_token() -> None:
    client = ReportingClient("http://127.0.0.1:1", "opes_secret-value")
    assert "secret" not in repr(client)


def test_delivery_learns_the_services_batch_limit_by_halving(
    database: Database, reporting: tuple[str, str, Receipts]
) -> None:
    url, token, receipts = reporting  # the test service takes at most 50 per request
    ids = emit_many(database, 120)
    sender = dispatcher(database, url, token, batch_size=200)
    report = sender.drain()
    assert report.delivered == 120
    assert sender.batch_size <= 50
    assert sorted(stored_ids(database)) == sorted(ids)
    # Refused as 120 and as 60, accepted as batches of 30: each event reached the service
    # at most three times.
    assert max(receipts.counts.values()) <= 3


def test_delivery_sets_aside_an_event_too_large_to_send_alone(database: Database) -> None:
    def too_large(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("413 Too Large", [("Content-Type", "application/json")])
        return [b'{"error": {"code": "body_too_large", "message": "no"}}']

    emit_many(database, 1)
    with serve_wsgi(too_large) as url:
        report = dispatcher(database, url, "opes_x").drain()
    assert report.rejected == 1
    assert "too large" in SqlOutbox(database.sessions).rejected()[0].last_error
