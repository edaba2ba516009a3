"""``opes-lti demo``: demo events queued once, delivered once."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from click.testing import Result
from flask import Flask

from opes_lti.core.db import Database
from opes_lti.events.outbox import SqlOutbox
from opes_lti.reporting.models import StoredEvent
from tests.support.servers import serve_wsgi


def test_cli_demo_then_flush_delivers_everything_once(
    run: Callable[..., Result], app: Flask, make_source: Callable[..., str], database: Database
) -> None:
    token = make_source("tool-a")
    first = run("demo", "--learners", "3")
    assert first.exit_code == 0
    queued = int(first.output.split()[0])
    assert f"pending: {queued}" in run("outbox", "status").output
    assert f"{queued} new demo events" in first.output
    assert "5 demo communities added" in first.output
    # Demo events are the same each run: queuing them again adds nothing, and says so.
    again = run("demo", "--learners", "3")
    assert "nothing added" in again.output
    assert "communities added" not in again.output  # once
    listed = run("communities", "list").output
    assert all(slug in listed for slug in ("inclusione", "giovani", "welfare-territoriale"))
    assert "queued for" not in again.output
    assert SqlOutbox(database.sessions).counts()["pending"] == queued
    # More learners: only the new ones' events are new.
    more = run("demo", "--learners", "4")
    added = int(more.output.split()[0])
    assert 0 < added < queued
    assert SqlOutbox(database.sessions).counts()["pending"] == queued + added
    queued += added
    with serve_wsgi(app) as url:
        flushed = run(
            "outbox", "flush", extra_env={"OPES_REPORTING_URL": url, "OPES_REPORTING_TOKEN": token}
        )
    assert flushed.exit_code == 0, flushed.output
    assert f"delivered {queued}" in flushed.output
    with database.sessions() as db:
        assert db.scalar(sa.select(sa.func.count()).select_from(StoredEvent)) == queued
    assert "no rejected events" in run("outbox", "rejected").output
