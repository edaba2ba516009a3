"""``opes-lti serve`` counts in one niced process of its own, started again if it dies."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from pathlib import Path

import psutil
import requests

from opes_lti.core.db import Database
from opes_lti.dashboard import rollups
from opes_lti.dashboard.models import RollupMark
from tests.support.factories import event_json
from tests.support.processes import Process, free_port, wait_healthy

#: Generous: on two busy cores a spawned interpreter takes seconds to import everything.
DEADLINE = 180.0


def _counted(database: Database) -> int:
    with database.sessions() as db:
        mark = db.get(RollupMark, 1)
        return mark.counted if mark else 0


def _counters(server: Process) -> list[psutil.Process]:
    """The live counting processes (a killed one not yet reaped is not one)."""
    assert server.proc is not None
    found = []
    for child in psutil.Process(server.proc.pid).children(recursive=True):
        try:
            if child.status() != psutil.STATUS_ZOMBIE and "--follow" in child.cmdline():
                found.append(child)
        except psutil.Error:  # it exited while we looked
            continue
    return found


def _until(check: Callable[[], bool], what: str, server: Process) -> None:
    deadline = time.monotonic() + DEADLINE
    while not check():
        assert time.monotonic() < deadline, f"{what}:\n{server.output()[-3000:]}"
        time.sleep(0.1)


def test_served_events_are_counted_by_one_niced_process_that_comes_back(
    database_url: str, database: Database, make_source: Callable[..., str], tmp_path: Path
) -> None:
    token = make_source()
    port = free_port()
    env = {"OPES_DATABASE_URL": database_url, "OPES_INSTANCE_PATH": str(tmp_path / "i")}
    args = ["serve", "--service", "reporting", "--port", str(port), "--workers", "2"]
    server = Process(args, env, tmp_path / "serve.log").start()
    url = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"Bearer {token}"}
    try:
        wait_healthy(url, server)
        _until(lambda: len(_counters(server)) == 1, "no counting process", server)
        (counter,) = _counters(server)
        _until(lambda: counter.nice() == rollups.NICE, "the counter is not niced", server)
        master = psutil.Process(server.proc.pid)  # type: ignore[union-attr]
        # gunicorn answers once one worker is up; on busy cores the second comes later.
        _until(
            lambda: len([c for c in master.children() if c != counter]) == 2,
            "not two web workers beside the counter",
            server,
        )
        answer = requests.post(
            url + "/api/v1/events", json=[event_json()], headers=headers, timeout=30
        )
        assert answer.json()["summary"]["accepted"] == 1
        _until(lambda: _counted(database) == 1, "the event was not counted", server)

        counter.send_signal(signal.SIGKILL)  # as a crash or the OOM killer would
        _until(
            lambda: len(pids := [c.pid for c in _counters(server)]) == 1 and pids != [counter.pid],
            "the counting process was not started again",
            server,
        )
        answer = requests.post(
            url + "/api/v1/events", json=[event_json()], headers=headers, timeout=30
        )
        assert answer.json()["summary"]["accepted"] == 1
        _until(lambda: _counted(database) == 2, "counting did not resume", server)
        (again,) = _counters(server)
    finally:
        server.stop()
    assert not again.is_running() or again.status() == psutil.STATUS_ZOMBIE
    assert "starting it again" in server.output()
