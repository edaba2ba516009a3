"""Run ``opes-lti`` as real processes (killed with SIGKILL like a crash would)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Process:
    """One ``opes-lti`` command in its own process group, its output in a log file."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        self.args = args
        self.env = env
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> Process:
        """Start (or start again)."""
        handle = self.log.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "opes_lti", *self.args],
            env=os.environ | self.env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # so a kill takes gunicorn's workers with the master
        )
        handle.close()
        return self

    def kill(self) -> None:
        """SIGKILL the whole group: no cleanup, as in a crash."""
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        """SIGTERM and wait; SIGKILL if it does not go."""
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()

    def output(self) -> str:
        """Everything the process printed so far."""
        return self.log.read_text(errors="replace")


#: Seconds a service may take to come up: generous, since on two busy cores gunicorn, the
#: migrations and the first import of everything can take a while. The wait ends at once
#: when the service answers.
STARTUP_SECONDS = 180.0


def wait_healthy(url: str, process: Process, timeout: float = STARTUP_SECONDS) -> None:
    """Poll ``/healthz`` until it answers 200 (or the process exits: that fails at once)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.proc is not None
        if process.proc.poll() is not None:
            raise AssertionError(f"service exited:\n{process.output()[-3000:]}")
        try:
            if requests.get(url + "/healthz", timeout=10).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise AssertionError(f"service not healthy after {timeout}s:\n{process.output()[-3000:]}")
