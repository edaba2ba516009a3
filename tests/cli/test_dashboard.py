"""``opes-lti dashboard``: counting what the reporting service stored."""

from __future__ import annotations

from collections.abc import Callable

from click.testing import Result
from flask import Flask

from tests.support.factories import event_json


def test_status_and_count_say_how_far_the_rollups_are(
    run: Callable[..., Result], app: Flask, make_source: Callable[..., str]
) -> None:
    assert run("dashboard", "status").output.strip() == "counted: 0; waiting: 0"
    token = make_source("tool-a")
    events = [event_json() for _ in range(3)]
    answer = app.test_client().post(
        "/api/v1/events", json=events, headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 200, answer.get_json()
    assert "waiting: 3" in run("dashboard", "status").output
    assert run("dashboard", "count").output.strip() == "counted 3 events into the dashboard"
    status = run("dashboard", "status").output
    assert status.startswith("counted: 3, last at ")
    assert status.strip().endswith("waiting: 0")
    assert "counted 0 events" in run("dashboard", "count").output
