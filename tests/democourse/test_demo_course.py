"""The demo course: every activity tried without an LMS, from a real LTI platform.

It runs the way a newcomer meets it: ``opes-lti serve`` (the embedded default) in a real
process, driven in headless Chromium; and it never appears where it must not.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Browser, Frame, Page

from opes_lti.app import create_app
from opes_lti.core.db import Database
from opes_lti.core.settings import Settings
from opes_lti.democourse.services import enabled
from tests.support.browser import WAIT_MS, serious_violations
from tests.support.processes import Process, free_port, wait_healthy


@pytest.fixture
def demo(database_url: str, database: Database, tmp_path: Path) -> Iterator[str]:
    # ``database``: its teardown empties a shared PostgreSQL database after the server.
    port = free_port()
    env = {"OPES_DATABASE_URL": database_url, "OPES_INSTANCE_PATH": str(tmp_path / "i")}
    Process(["db", "upgrade"], env, tmp_path / "upgrade.log").start().proc.wait(timeout=120)  # type: ignore[union-attr]
    server = Process(["serve", "--port", str(port)], env, tmp_path / "serve.log").start()
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, server, timeout=120)
        assert f"demo course:      {base}/demo/" in server.output()
        yield base
    finally:
        server.stop()


def _frame(page: Page) -> Frame:
    frame = page.frame(name="activity")
    assert frame is not None
    return frame


def test_a_designer_places_a_learner_submits_and_the_grade_comes_back(
    demo: str, browser: Browser
) -> None:
    page = browser.new_page(locale="it-IT")  # as an Italian learner's browser asks
    page.goto(demo + "/demo/")
    page.wait_for_selector("text=Corso dimostrativo OPES")
    assert serious_violations(page) == []

    # A designer opens the picker, as from Moodle's activity chooser.
    page.select_option("#designer", "paolo")
    page.click("form[action$='/demo/place'] button")
    picker = _frame(page)
    picker.wait_for_selector("#pick-selfassessment")
    assert picker.locator("#pick-placeholder").count() == 0  # never offered to designers
    assert serious_violations(picker) == []
    picker.check("#pick-selfassessment")
    picker.fill("#title-selfassessment", "Co-progettazione: prima del corso")
    # Only the chosen framework's areas are offered.
    picker.select_option("#opt-selfassessment-framework", "opes-organizzazione")
    assert not picker.is_visible("input[name='opt-selfassessment-areas'][value='PA']")
    assert picker.is_visible("input[name='opt-selfassessment-areas'][value='GV']")
    picker.select_option("#opt-selfassessment-framework", "opes-progettazione")
    picker.check("input[name='opt-selfassessment-areas'][value='PA']")
    picker.click("form button[type=submit]")
    _frame(page).wait_for_selector("text=Co-progettazione: prima del corso")

    # The course now holds it; a learner opens it and answers.
    page.goto(demo + "/demo/")
    item = page.locator("form.item", has_text="Co-progettazione: prima del corso")
    item.locator("select").select_option("maria")
    item.locator("button").click()
    frame = _frame(page)
    frame.wait_for_selector("text=Chi sei")
    frame.click("button[value=skip]")
    frame.wait_for_selector("text=Schermata 1 di 2")
    frame.click('label[for="level-PA.1-3"]')
    frame.click("text=Avanti")
    frame.wait_for_selector("text=Schermata 2 di 2")
    frame.click('label[for="level-PA.2-4"]')
    frame.click("text=Invia le mie risposte")
    frame.wait_for_selector("text=Il mio profilo di competenze")

    # The grade travels back through AGS to the course's gradebook.
    deadline = time.monotonic() + WAIT_MS / 1000
    while True:
        page.goto(demo + "/demo/")
        grades = page.locator("table").inner_text() if page.locator("table").count() else ""
        if "Maria Rossi" in grades and "Co-progettazione" in grades:
            break
        assert time.monotonic() < deadline, "no grade came back to the demo course"
        page.wait_for_timeout(500)  # polling a page, not waiting for an event
    assert serious_violations(page) == []

    # The instructor sees the class view, with the one learner who answered.
    item = page.locator("form.item", has_text="Co-progettazione: prima del corso")
    item.locator("select").select_option("giulia")
    item.locator("button").click()
    frame = _frame(page)
    frame.wait_for_selector("h1:has-text('Vista della classe')")
    assert "prima del corso: 1" in frame.content()
    page.close()


@pytest.mark.parametrize(
    ("service", "base_url", "setting", "expected"),
    [
        ("embedded", "http://127.0.0.1:5000", "auto", True),
        ("embedded", "http://localhost:8000", "auto", True),
        ("embedded", "http://[::1]:5000", "auto", True),
        ("embedded", "https://opes.example.it", "auto", False),
        ("embedded", "http://10.0.0.5:5000", "auto", False),
        ("embedded", "http://127.0.0.1.example.it", "auto", False),
        ("tool", "http://127.0.0.1:5000", "auto", False),
        ("reporting", "http://127.0.0.1:5000", "auto", False),
        ("tool", "https://opes.example.it", "on", True),
        ("embedded", "http://127.0.0.1:5000", "off", False),
    ],
)
def test_the_demo_course_is_served_only_where_it_is_safe(
    settings: Settings,
    database: Database,
    service: str,
    base_url: str,
    setting: str,
    expected: bool,
) -> None:
    configured = settings.with_overrides(base_url=base_url, demo_course=setting)
    assert enabled(configured, service) is expected
    client = create_app(configured, service, database=database).test_client()  # type: ignore[arg-type]
    assert (client.get("/demo/").status_code != 404) is expected


def test_a_bad_demo_setting_is_refused_at_start(tmp_path: Path) -> None:
    from opes_lti.core.settings import SettingsError, load_settings

    with pytest.raises(SettingsError, match="OPES_DEMO_COURSE must be on, off or auto"):
        load_settings({"OPES_INSTANCE_PATH": str(tmp_path), "OPES_DEMO_COURSE": "yes"})


def test_demo_endpoints_refuse_bad_requests_plainly(demo: str) -> None:
    assert requests.get(demo + "/demo/launch", params={"item": 1}, timeout=30).status_code == 400
    assert (
        requests.get(demo + "/demo/launch", params={"item": 999, "person": "maria"}, timeout=30)
    ).status_code == 404
    assert (
        requests.get(demo + "/demo/place", params={"person": "maria"}, timeout=30).status_code
        == 403
    )
    assert (
        requests.post(
            demo + "/demo/deep-link-return", data={"JWT": "x.y.z"}, timeout=30
        ).status_code
        == 400
    )
    assert requests.post(demo + "/demo/lineitems/1/scores", json={}, timeout=30).status_code == 401
    assert requests.post(demo + "/demo/token", data={}, timeout=30).status_code == 400


def test_the_demo_platform_signs_launches_only_for_the_tools_launch_url(demo: str) -> None:
    query = {
        "scope": "openid",
        "response_type": "id_token",
        "client_id": "opes-demo-course",
        "login_hint": "maria",
        "lti_message_hint": "item-1",
        "state": "s",
        "nonce": "n",
    }
    elsewhere = requests.get(
        demo + "/demo/auth",
        params=query | {"redirect_uri": "http://127.0.0.1:9/steal"},
        timeout=30,
    )
    assert elsewhere.status_code == 400
    assert "id_token" not in elsewhere.text
    ours = requests.get(
        demo + "/demo/auth", params=query | {"redirect_uri": demo + "/lti/launch"}, timeout=30
    )
    assert ours.status_code == 200
    assert f'action="{demo}/lti/launch"' in ours.text
    assert 'name="id_token"' in ours.text
