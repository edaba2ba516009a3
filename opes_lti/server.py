"""Serving under gunicorn, with the embedded outbox dispatcher when there is one."""

from __future__ import annotations

import errno
import logging
import os
import socket
import subprocess
import sys
import threading
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger

from opes_lti.app import Service, create_app
from opes_lti.core import migrate
from opes_lti.core.db import Database
from opes_lti.core.redact import MASK, SECRET_HEADERS, redact_url
from opes_lti.core.settings import Settings
from opes_lti.events import worker
from opes_lti.events.outbox import build_dispatcher
from opes_lti.lti.grades import GradeSender
from opes_lti.reporting.sources import ensure_source

log = logging.getLogger(__name__)


class _Gunicorn(BaseApplication):
    def __init__(self, app: Flask, options: dict[str, Any]) -> None:
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.application


_SECRET_ATOMS = frozenset(
    [f"{{{name}}}i" for name in SECRET_HEADERS]
    + [f"{{http_{name.replace('-', '_')}}}e" for name in SECRET_HEADERS]
)


class RedactingLogger(Logger):
    """gunicorn's logger, with secrets masked in every access-log field.

    Every atom a log format can name is redacted, not only the default format's: the
    request line, the query string, the Referer (a page's address, query included), raw
    environ values, and credential headers (dropped whole).
    """

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        """The format's fields, redacted."""
        atoms = super().atoms(resp, req, environ, request_time)
        for key, value in atoms.items():
            if key in _SECRET_ATOMS:
                atoms[key] = MASK
            elif isinstance(value, str):
                atoms[key] = redact_url(value)
        return atoms


class PortTaken(OSError):
    """The address to serve on is in use already."""


def check_port_free(host: str, port: int) -> None:
    """Raise :class:`PortTaken` if ``host:port`` cannot be bound.

    gunicorn would retry five times and then stop with a traceback-like log; a person
    starting the service needs one line saying what to do instead.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        # As gunicorn binds: a socket in TIME_WAIT from a previous run is no obstacle.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                raise PortTaken(exc.errno, f"port {port} on {host} is taken") from None
            raise


def embedded_token(settings: Settings) -> str:
    """A fresh token for the embedded sender, kept in memory only (nothing secret on disk)."""
    database = Database(settings.database_url)
    try:
        with database.transaction() as db:
            return ensure_source(db, settings.source_name).token
    finally:
        database.dispose()


def start_embedded_dispatcher(settings: Settings, url: str, token: str) -> threading.Event:
    """Deliver the outbox to this instance's reporting API, and grades to the platforms.

    Both are jobs of the one worker loop, in a daemon thread of the worker process.
    """
    database = Database(settings.database_url)
    dispatcher = build_dispatcher(settings, database.sessions, reporting_url=url, token=token)
    jobs = [dispatcher.job(), GradeSender(database.sessions).job()]
    stop = threading.Event()
    threading.Thread(target=worker.run, args=(jobs, stop), name="worker", daemon=True).start()
    return stop


#: Seconds before a counting process that exited is started again.
COUNTING_RESTART = 2.0


class CountingProcess:
    """The dashboard's rollups counted in one process of their own, at a lower priority.

    In a thread of each web worker, counting shared that worker's interpreter lock with
    the pages it served: while a platform sent 5,000 events/s, every page waited for it.
    Apart and niced, counting takes the CPU the requests leave; a backlog shows on every
    page ("still being counted") and is caught up when the requests pause. The gunicorn
    master starts it once ready (``opes-lti dashboard count --follow``, the command a
    deployment may also run elsewhere), a watcher thread starts it again if it exits, and
    it stops with the master.

    A plain subprocess, not multiprocessing: a forked web worker inherits
    multiprocessing's list of children and, exiting, would terminate them.
    """

    def __init__(self, database_url: str) -> None:
        """Not started yet."""
        self.database_url = database_url
        self.stopping = threading.Event()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start the process and its watcher."""
        threading.Thread(
            target=self._watch, args=(self._spawn(),), name="counting-watcher", daemon=True
        ).start()

    def _spawn(self) -> subprocess.Popen[bytes]:
        # The URL by environment, never on a command line another user can read.
        env = os.environ | {"OPES_DATABASE_URL": self.database_url}
        command = [sys.executable, "-m", "opes_lti", "dashboard", "count", "--follow"]
        self.process = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL)  # noqa: S603
        log.info("counting stored events into the dashboard's rollups (pid %s)", self.process.pid)
        return self.process

    def _watch(self, process: subprocess.Popen[bytes]) -> None:
        while not self.stopping.is_set():
            # Returns when it exits, also when gunicorn's master reaped it first.
            process.wait()
            if self.stopping.wait(COUNTING_RESTART):
                return
            log.warning("the counting process exited; starting it again")
            process = self._spawn()

    def stop(self) -> None:
        """Stop counting (a batch in progress is rolled back and counted next time)."""
        self.stopping.set()
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def serve(
    settings: Settings,
    service: Service,
    host: str,
    port: int,
    workers: int,
    threads: int,
    dispatcher: bool,
    access_log: bool = True,
) -> None:
    """Run the service until interrupted."""
    if service == "embedded":
        # The embedded default is one command from nothing: bring the schema up to date.
        migrate.upgrade(settings.database_url)
    app = create_app(settings, service)
    own_url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"  # noqa: S104
    options: dict[str, Any] = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread" if threads > 1 else "sync",
        # Formatting an access line costs about 6% of a launch's CPU: a deployment behind
        # a proxy that logs requests already can turn it off.
        "accesslog": "-" if access_log else None,
        "logger_class": RedactingLogger,
        "timeout": 60,
    }
    if dispatcher and service == "embedded" and not settings.reporting_url:
        token = embedded_token(settings)

        def post_worker_init(_worker: Any) -> None:
            # In the worker, after the fork: a thread started in the master before forking
            # could hold a lock (logging, the connection pool) that the child then inherits
            # locked forever.
            start_embedded_dispatcher(settings, own_url, token)
            log.info("embedded outbox dispatcher sending to %s", own_url)

        options["post_worker_init"] = post_worker_init
    if service in ("embedded", "reporting"):
        counting = CountingProcess(settings.database_url)
        options["when_ready"] = lambda _arbiter: counting.start()
        options["on_exit"] = lambda _arbiter: counting.stop()
    _Gunicorn(app, options).run()
