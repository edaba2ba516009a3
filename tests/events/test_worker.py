"""The one worker loop: each job runs when due, a failing one never stops the others."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from opes_lti.events import worker

LIMIT = 60.0  # generous: CI shares two cores


def _until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + LIMIT
    while not condition():
        assert time.monotonic() < deadline, "the condition never came true"
        time.sleep(0.01)


def _running(jobs: list[worker.Job]) -> tuple[threading.Event, threading.Thread]:
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(jobs, stop), daemon=True)
    thread.start()
    return stop, thread


def test_each_job_waits_as_long_as_its_own_round_says() -> None:
    counts = {"busy": 0, "idle": 0}

    def busy() -> float:
        counts["busy"] += 1
        return 0.0  # work is flowing: again at once

    def idle() -> float:
        counts["idle"] += 1
        return 3600.0  # nothing due for an hour

    stop, thread = _running([worker.Job("busy", busy), worker.Job("idle", idle)])
    _until(lambda: counts["busy"] >= 50)
    stop.set()
    thread.join(LIMIT)
    assert not thread.is_alive()
    assert counts["idle"] == 1


def test_a_job_that_raises_is_logged_and_the_others_go_on(caplog) -> None:  # type: ignore[no-untyped-def]
    done = {"n": 0}

    def broken() -> float:
        raise RuntimeError("database went away")

    def fine() -> float:
        done["n"] += 1
        return 0.0

    stop, thread = _running([worker.Job("outbox", broken), worker.Job("grades", fine)])
    _until(lambda: done["n"] >= 20)
    stop.set()
    thread.join(LIMIT)
    assert not thread.is_alive()
    assert any("outbox round failed" in r.getMessage() for r in caplog.records)


def test_stop_ends_the_loop_while_every_job_sleeps() -> None:
    stop, thread = _running([worker.Job("idle", lambda: 3600.0)])
    stop.set()
    thread.join(LIMIT)
    assert not thread.is_alive()
