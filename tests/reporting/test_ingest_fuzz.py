"""Ingestion under fire: overlapping batches at once, random and mutated events.

Served over real HTTP by a threaded server, on SQLite and PostgreSQL. Whatever is sent,
no answer is a 5xx, and the rows stored are exactly the items answered "accepted".
"""

from __future__ import annotations

import contextlib
import copy
import json
import random
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opes_lti.app import create_app
from opes_lti.core.db import Database
from opes_lti.core.settings import Settings
from opes_lti.reporting import sources
from opes_lti.reporting.models import StoredEvent
from tests.support.factories import PAYLOADS, event_json
from tests.support.servers import serve_wsgi


@pytest.fixture
def service(settings: Settings, database: Database) -> Iterator[tuple[str, str]]:
    app = create_app(
        settings.with_overrides(max_batch_items=1000, max_body_bytes=8 * 1024 * 1024),
        "reporting",
        database=database,
    )
    with database.transaction() as db:
        token = sources.add_source(db, "tool-a").token
    with serve_wsgi(app) as url:
        yield url + "/api/v1/events", token


def _rows(database: Database) -> int:
    with database.sessions() as db:
        return db.scalar(sa.select(sa.func.count()).select_from(StoredEvent)) or 0


def _send(url: str, token: str, body: bytes) -> requests.Response:
    return requests.post(
        url,
        data=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        timeout=120,
    )


SENDERS, BATCH, ROUNDS = 6, 500, 3


def test_overlapping_batches_at_once_neither_deadlock_nor_duplicate(
    service: tuple[str, str], database: Database
) -> None:
    url, token = service
    total = 0
    for round_ in range(ROUNDS):
        events = [event_json() for _ in range(BATCH)]
        orders = [random.Random(round_ * 100 + s).sample(events, BATCH) for s in range(SENDERS)]
        answers: list[requests.Response] = []
        start = threading.Barrier(len(orders))

        def sender(
            batch: list[dict[str, Any]], start: threading.Barrier, answers: list[Any]
        ) -> None:
            body = json.dumps(batch).encode()
            start.wait(timeout=60)
            answers.append(_send(url, token, body))

        threads = [
            threading.Thread(target=sender, args=(order, start, answers)) for order in orders
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
        codes = [a.status_code for a in answers]
        assert codes == [200] * SENDERS, [a.text[:300] for a in answers if a.status_code != 200]
        results = [r for a in answers for r in a.json()["results"]]
        accepted = [r["id"] for r in results if r["status"] == "accepted"]
        assert sorted(accepted) == sorted(e["id"] for e in events)  # each once, by one sender
        assert {r["status"] for r in results} <= {"accepted", "duplicate"}
        total += BATCH
        assert _rows(database) == total


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


@st.composite
def _mutated_event(draw: st.DrawFn) -> Any:
    """A valid event with a few of its fields (at any depth) replaced, removed or added."""
    event: Any = event_json(draw(st.sampled_from(sorted(PAYLOADS))))
    if draw(st.booleans()):
        event["id"] = str(uuid.UUID(int=draw(st.integers(0, 5))))  # ids shared across items
    for _ in range(draw(st.integers(0, 3))):
        target = event
        path = []
        while isinstance(target, dict) and target and draw(st.booleans()):
            key = draw(st.sampled_from(sorted(target)))
            path.append(key)
            if not isinstance(target[key], dict):
                break
            target = target[key]
        if not isinstance(target, dict) or not path:
            continue
        key = path[-1] if path[-1] in target else draw(st.text(max_size=6))
        action = draw(st.sampled_from(["replace", "remove", "add"]))
        if action == "remove":
            target.pop(key, None)
        else:
            target[key if action == "replace" else draw(st.text(max_size=6))] = draw(JSON)
    return event


ITEMS = st.one_of(_mutated_event(), JSON)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(batch=st.lists(ITEMS, min_size=1, max_size=20), single=st.booleans())
def test_no_input_gets_a_5xx_and_rows_equal_items_accepted(
    service: tuple[str, str], database: Database, batch: list[Any], single: bool
) -> None:
    url, token = service
    before = _rows(database)
    body = batch[0] if single else batch
    try:
        raw = json.dumps(copy.deepcopy(body), allow_nan=True).encode()
    except (TypeError, ValueError):
        return
    answer = _send(url, token, raw)
    assert answer.status_code < 500, answer.text[:500]
    accepted = 0
    if answer.headers.get("Content-Type", "").startswith("application/json"):
        data = answer.json()
        if "results" in data:
            accepted = sum(r["status"] == "accepted" for r in data["results"])
    assert _rows(database) - before == accepted


@pytest.mark.parametrize(
    "raw",
    [
        b"[" * 50_000,
        b'{"a":' * 20_000 + b"1" + b"}" * 20_000,
        b"[" * 1_000 + b"]" * 1_000,
        b"[" * 40 + b"{}" + b"]" * 40,
    ],
)
def test_json_nested_too_deep_is_400_not_500(
    service: tuple[str, str], database: Database, raw: bytes
) -> None:
    url, token = service
    answer = _send(url, token, raw)
    assert answer.status_code == 400, answer.text[:300]
    assert answer.json()["error"]["code"] == "malformed_json"
    assert _rows(database) == 0


def test_batches_inserting_at_the_same_moment_do_not_deadlock(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The inserts made to overlap exactly, as on a server with several processes.

    In-process, parsing under the GIL staggers the requests; here each request waits
    for the others just before its insert, so they run together, each in its own order.
    """
    from opes_lti.reporting import ingest

    with database.transaction() as db:
        source = sources.add_source(db, "tool-a")
    with database.sessions() as db:
        caller = sources.authenticate(db, source.token)
    assert caller is not None
    events = [event_json() for _ in range(BATCH)]
    orders = [random.Random(s).sample(events, BATCH) for s in range(SENDERS)]
    together = threading.Barrier(SENDERS)
    real_insert = ingest._insert

    def insert_together(db: Any, rows: list[dict[str, Any]]) -> Any:
        with contextlib.suppress(threading.BrokenBarrierError):  # a retry: the rest went on
            together.wait(timeout=10)
        return real_insert(db, rows)

    monkeypatch.setattr(ingest, "_insert", insert_together)
    outcomes: list[Any] = []

    def sender(batch: list[dict[str, Any]]) -> None:
        with database.sessions() as db:

            def work() -> list[Any]:
                results = ingest.ingest(db, caller, batch)
                db.commit()
                return results

            try:
                outcomes.append(work())  # no retry: the order alone must hold
            except Exception as exc:  # the assertion below says which
                outcomes.append(exc)

    threads = [threading.Thread(target=sender, args=(order,)) for order in orders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    failures = [o for o in outcomes if isinstance(o, Exception)]
    assert failures == []
    accepted = [r.id for o in outcomes for r in o if r.status == "accepted"]
    assert sorted(accepted) == sorted(e["id"] for e in events)
    assert _rows(database) == BATCH
