"""Serving under gunicorn, with the embedded outbox dispatcher when there is one."""

from __future__ import annotations

import errno
import logging
import socket
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
from opes_lti.dashboard import rollups
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

    Both are jobs of the one worker loop, in a daemon thread of the worker process, beside
    the counting of what arrives into the dashboard's rollups.
    """
    database = Database(settings.database_url)
    dispatcher = build_dispatcher(settings, database.sessions, reporting_url=url, token=token)
    return _start([dispatcher.job(), GradeSender(database.sessions).job()], database)


def start_counting(settings: Settings) -> threading.Event:
    """Count stored events into the dashboard's rollups (the reporting service's worker)."""
    return _start([], Database(settings.database_url))


def _start(jobs: list[worker.Job], database: Database) -> threading.Event:
    stop = threading.Event()
    everything = [*jobs, rollups.job(database.sessions)]
    threading.Thread(target=worker.run, args=(everything, stop), name="worker", daemon=True).start()
    return stop


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
    elif service in ("embedded", "reporting"):

        def post_worker_init(_worker: Any) -> None:
            start_counting(settings)
            log.info("counting stored events into the dashboard's rollups")

        options["post_worker_init"] = post_worker_init
    _Gunicorn(app, options).run()
