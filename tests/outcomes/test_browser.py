"""An instructor in headless Chromium: from the course's frame to the course's dashboard."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser

from opes_lti.lti.registrations import PlatformSpec, add_platform
from tests.lti.conftest import Tool
from tests.support.browser import frame_showing, serious_violations
from tests.support.platform import OpenEdxPlatform, open_edx_platform


@pytest.fixture
def course(tool: Tool) -> Iterator[OpenEdxPlatform]:
    with open_edx_platform(tool.url, host="localhost") as platform:
        with tool.database.transaction() as db:
            add_platform(db, PlatformSpec(**platform.registration()))
        platform.prepare(role="instructor", locale="it", custom={"activity": "outcomes"})
        yield platform


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_instructor_opens_the_course_outcomes_by_keyboard_with_no_serious_axe_finding(
    tool: Tool, course: OpenEdxPlatform, browser: Browser
) -> None:
    page = browser.new_page()
    page.goto(course.url + "/course")
    frame = frame_showing(page, "tool", "text=Risultati del corso")
    assert serious_violations(frame) == []
    button = frame.get_by_role("button", name="Apri i risultati di Progettazione sociale")
    button.focus()
    with page.context.expect_page() as opened:
        page.keyboard.press("Enter")
    dashboard = opened.value
    # The new tab's form posts itself to the dashboard: a real browser sends its Origin.
    dashboard.get_by_role("heading", name="Panoramica del programma").wait_for()
    assert "/dashboard/" in dashboard.url
    shown = dashboard.content()
    assert "Risultati del corso Progettazione sociale, per i suoi docenti" in shown
    assert serious_violations(dashboard) == []
    dashboard.close()
    page.close()
