"""One worker loop for every queue the tool drains: the outbox and the grade queue.

Each :class:`Job` takes one round of its own work and says how long to wait before its
next round (its own settle and backoff rules decide that); the loop runs every job when
it is due and sleeps until the next one is. Pure: no database, no HTTP.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

log = logging.getLogger(__name__)
#: Seconds a job waits after a round that raised (a database hiccup must not kill it).
AFTER_ERROR = 5.0


@dataclass(frozen=True)
class Job:
    """A named round of work: it returns the seconds to wait before the next (0: at once)."""

    name: str
    step: Callable[[], float]


def run(jobs: Sequence[Job], stop: threading.Event) -> None:
    """Run each job whenever it is due, until ``stop`` is set."""
    due = [0.0] * len(jobs)
    while not stop.is_set():
        for i, job in enumerate(jobs):
            if due[i] > time.monotonic():
                continue
            try:
                wait = job.step()
            except Exception:
                log.exception("%s round failed; trying again", job.name)
                wait = AFTER_ERROR
            due[i] = time.monotonic() + max(0.0, wait)
            if stop.is_set():
                return
        stop.wait(max(0.0, min(due) - time.monotonic()))
