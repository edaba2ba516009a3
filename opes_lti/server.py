"""Serving under gunicorn, with the embedded outbox dispatcher when there is one."""

from __future__ import annotations

import logging
import threading
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from opes_lti.app import Service, create_app
from opes_lti.core import migrate
from opes_lti.core.db import Database
from opes_lti.core.settings import Settings
from opes_lti.events.outbox import build_dispatcher
from opes_lti.reporting.sources import ensure_source

log = logging.getLogger(__name__)


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    def __init__(self, app: Flask, options: dict[str, Any]) -> None:
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.application


def start_embedded_dispatcher(settings: Settings, url: str) -> threading.Event:
    """Deliver this instance's outbox to its own reporting API, from a daemon thread.

    The embedded sender gets a fresh token each start, kept in memory only: nothing
    secret is written to disk for it.
    """
    database = Database(settings.database_url)
    with database.transaction() as db:
        token = ensure_source(db, settings.source_name).token
    dispatcher = build_dispatcher(settings, database.sessions, reporting_url=url, token=token)
    stop = threading.Event()
    threading.Thread(target=dispatcher.run, args=(stop,), name="outbox", daemon=True).start()
    return stop


def serve(
    settings: Settings,
    service: Service,
    host: str,
    port: int,
    workers: int,
    threads: int,
    dispatcher: bool,
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
        "accesslog": "-",
        "timeout": 60,
    }
    if dispatcher and service == "embedded" and not settings.reporting_url:

        def when_ready(_server: Any) -> None:
            start_embedded_dispatcher(settings, own_url)
            log.info("embedded outbox dispatcher sending to %s", own_url)

        options["when_ready"] = when_ready
    _Gunicorn(app, options).run()
