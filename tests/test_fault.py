"""Fault tests with real processes: no outcome event is ever lost or stored twice.

The reporting service runs under gunicorn and is crashed (SIGKILL) and restarted twice;
a proxy makes its calls time out for a while; the sending worker is crashed and restarted.
Meanwhile 2,000 events are emitted. At the end each is stored exactly once.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from opes_lti.core.db import Database
from opes_lti.events.domain import parse_event
from opes_lti.events.outbox import SqlOutbox
from opes_lti.reporting.models import StoredEvent
from opes_lti.reporting.sources import add_source
from tests.support.factories import event_json
from tests.support.processes import Process, free_port, wait_healthy
from tests.support.proxy import BlackholeProxy

pytestmark = pytest.mark.slow

TOTAL = 2000


@pytest.fixture
def proxy_and_port() -> Iterator[tuple[BlackholeProxy, int]]:
    port = free_port()
    proxy = BlackholeProxy(port)
    yield proxy, port
    proxy.close()


class Emitter:
    """The producing side: commits events to the outbox in small transactions."""

    def __init__(self, database: Database) -> None:
        self.outbox = SqlOutbox(database.sessions)
        self.ids: list[str] = []

    def emit(self, count: int, pause: float = 0.0) -> None:
        for n in range(count):
            data = event_json(source="tool-a")
            self.outbox.emit(parse_event(data))
            self.ids.append(data["id"])
            if pause and n % 25 == 0:
                time.sleep(pause)


def _stored(database: Database) -> tuple[int, int, set[str]]:
    with database.sessions() as db:
        count = db.scalar(sa.select(sa.func.count()).select_from(StoredEvent))
        distinct = db.scalar(sa.select(sa.func.count(sa.distinct(StoredEvent.id))))
        ids = {str(i) for i in db.scalars(sa.select(StoredEvent.id))}
    return count or 0, distinct or 0, ids


def test_fault_no_event_lost_or_duplicated_through_crashes_and_timeouts(
    database: Database,
    database_url: str,
    tmp_path: Path,
    proxy_and_port: tuple[BlackholeProxy, int],
) -> None:
    proxy, port = proxy_and_port
    with database.transaction() as db:
        token = add_source(db, "tool-a").token
    env = {
        "OPES_DATABASE_URL": database_url,
        "OPES_INSTANCE_PATH": str(tmp_path / "instance"),
        "OPES_SECRET_KEY": "fault-test",
        "OPES_REPORTING_URL": proxy.url,
        "OPES_REPORTING_TOKEN": token,
        "OPES_SOURCE_NAME": "tool-a",
        "OPES_OUTBOX_BATCH_SIZE": "50",
        "OPES_OUTBOX_TIMEOUT_SECONDS": "1",
        "OPES_OUTBOX_LEASE_SECONDS": "3",
        "OPES_OUTBOX_MAX_BACKOFF_SECONDS": "1",
    }
    service_url = f"http://127.0.0.1:{port}"
    reporting = Process(
        [
            "serve",
            "--service",
            "reporting",
            "--port",
            str(port),
            "--workers",
            "2",
            "--threads",
            "2",
        ],
        env,
        tmp_path / "reporting.log",
    ).start()
    sender = Process(["outbox", "worker", "--idle", "0.05"], env, tmp_path / "sender.log")
    emitter = Emitter(database)
    try:
        wait_healthy(service_url, reporting)
        sender.start()
        emitter.emit(300, pause=0.02)

        reporting.kill()  # crash 1, mid-stream
        emitter.emit(300)
        reporting.start()
        wait_healthy(service_url, reporting)
        emitter.emit(200, pause=0.02)

        proxy.blackhole.set()  # the network call now times out
        emitter.emit(300, pause=0.02)
        # Held until the sender has met a read timeout (not for a fixed while: on a busy
        # machine the timeout may come later than any sleep chosen here).
        held_until = time.monotonic() + 120
        while "ReadTimeout" not in sender.output() and time.monotonic() < held_until:
            time.sleep(0.25)
        proxy.blackhole.clear()

        sender.kill()  # the sending worker crashes mid-stream, leases still held
        emitter.emit(300)
        sender.start()
        emitter.emit(200, pause=0.02)

        reporting.kill()  # crash 2
        emitter.emit(200)
        time.sleep(1)
        reporting.start()
        wait_healthy(service_url, reporting)
        emitter.emit(TOTAL - len(emitter.ids), pause=0.02)

        deadline = time.monotonic() + 300  # generous; ends once the outbox is empty
        while time.monotonic() < deadline:
            counts = emitter.outbox.counts()
            if counts["pending"] == 0:
                break
            time.sleep(0.25)
    finally:
        sender.stop()
        reporting.stop()

    assert len(emitter.ids) == TOTAL
    assert proxy.held > 0, "the blackhole never caught a request: the timeout was not tested"
    counts = emitter.outbox.counts()
    assert counts == {"pending": 0, "delivered": TOTAL, "rejected": 0}, sender.output()[-3000:]
    stored, distinct, ids = _stored(database)
    assert stored == distinct == TOTAL
    assert ids == set(emitter.ids)
    log = sender.output()
    # The sender really met both faults: refused connections and read timeouts.
    assert "ConnectionError" in log
    assert "ReadTimeout" in log


def test_fault_embedded_server_delivers_its_own_outbox(
    database_url: str, tmp_path: Path, database: Database
) -> None:
    """``opes-lti serve`` (embedded) answers and drains the outbox it starts with."""
    emitter = Emitter(database)
    emitter.emit(120)
    port = free_port()
    env = {
        "OPES_DATABASE_URL": database_url,
        "OPES_INSTANCE_PATH": str(tmp_path / "i"),
        "OPES_SOURCE_NAME": "tool-a",
    }
    server = Process(["serve", "--port", str(port)], env, tmp_path / "embedded.log").start()
    try:
        wait_healthy(f"http://127.0.0.1:{port}", server)
        deadline = time.monotonic() + 180  # generous; ends once all 120 are delivered
        while emitter.outbox.counts()["delivered"] < 120 and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        server.stop()
    assert emitter.outbox.counts()["delivered"] == 120, server.output()[-3000:]
    assert _stored(database)[2] == set(emitter.ids)
