"""The operator's path, followed literally: a wrong OPES_SOURCE_NAME is caught at start.

Found by following the README's Production section: without OPES_SOURCE_NAME all 903
events were rejected, one warning each, and 'outbox retry' had them rejected again.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable

import pytest
from click.testing import Result
from flask import Flask

from opes_lti.cli.outbox import check_source
from opes_lti.core.db import Database
from opes_lti.core.logformat import JsonFormatter
from opes_lti.events.delivery import ReportingClient
from opes_lti.events.outbox import SqlOutbox, build_dispatcher
from tests.support.servers import serve_wsgi


def test_wrong_source_name_is_refused_at_start_and_retry_then_delivers(
    run: Callable[..., Result],
    app: Flask,
    make_source: Callable[..., str],
    database: Database,
) -> None:
    token = make_source("tool-a")
    wrong = {"OPES_SOURCE_NAME": ""}  # left out, as the README's Production section did
    assert run("demo", "--learners", "2", extra_env=wrong).exit_code == 0
    queued = SqlOutbox(database.sessions).counts()["pending"]
    with serve_wsgi(app) as url:
        sender = {"OPES_REPORTING_URL": url, "OPES_REPORTING_TOKEN": token}
        flushed = run("outbox", "flush", extra_env=sender | wrong)
        assert f"rejected {queued}" in flushed.output
        refused = run("outbox", "worker", extra_env=sender | wrong)
        assert refused.exit_code == 1
        assert "OPES_SOURCE_NAME is 'embedded'" in refused.output
        assert "set OPES_SOURCE_NAME=tool-a" in refused.output
        bad_token = run("outbox", "worker", extra_env=sender | {"OPES_REPORTING_TOKEN": "opes_x"})
        assert bad_token.exit_code == 1
        assert "refused OPES_REPORTING_TOKEN" in bad_token.output
        # The setting fixed (the fixture's OPES_SOURCE_NAME=tool-a): retry, then deliver.
        retried = run("outbox", "retry")
        assert f"{queued} events queued again" in retried.output
        assert f"{queued} of them now name source 'tool-a'" in retried.output
        delivered = run("outbox", "flush", extra_env=sender)
        assert f"delivered {queued}, rejected 0" in delivered.output, delivered.output


def test_the_source_check_passes_for_the_tokens_own_name(
    app: Flask, make_source: Callable[..., str]
) -> None:
    token = make_source("tool-a")
    with serve_wsgi(app) as url:
        check_source(ReportingClient(url, token), "tool-a", threading.Event())


def test_each_delivered_batch_is_one_info_line_with_its_lag(
    app: Flask,
    make_source: Callable[..., str],
    run: Callable[..., Result],
    database: Database,
    caplog: pytest.LogCaptureFixture,
) -> None:
    token = make_source("tool-a")
    run("demo", "--learners", "1")
    with serve_wsgi(app) as url, caplog.at_level(logging.INFO, "opes_lti.events.delivery"):
        settings = app.config["OPES_SETTINGS"].with_overrides(source_name="tool-a")
        report = build_dispatcher(settings, database.sessions, reporting_url=url, token=token)
        delivered = report.drain().delivered
    lines = [r for r in caplog.records if r.getMessage().startswith("outbox delivered")]
    assert sum(r.delivered for r in lines) == delivered > 0  # type: ignore[attr-defined]
    assert all(r.lag_seconds >= 0 for r in lines)  # type: ignore[attr-defined]
    assert "oldest waited" in lines[0].getMessage()
    as_json = json.loads(JsonFormatter().format(lines[0]))
    assert as_json["level"] == "info"
    assert as_json["delivered"] == lines[0].delivered  # type: ignore[attr-defined]
    assert as_json["message"].startswith("outbox delivered")


def test_the_unauthorised_answer_says_the_operator_makes_tokens(client) -> None:  # type: ignore[no-untyped-def]
    answer = client.post("/api/v1/events", json={})
    assert answer.status_code == 401
    assert "opes-lti sources add" in answer.json["error"]["message"]
    assert "coordinators" not in answer.json["error"]["message"]
    assert client.get("/api/v1/source").status_code == 401
