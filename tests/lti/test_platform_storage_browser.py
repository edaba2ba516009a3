"""A real browser: a course page on another site frames the tool; the launch cookie cannot
reach the framed tool, so the launch completes through LTI Platform Storage."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Frame, Page

from opes_lti.lti.registrations import PlatformSpec, add_platform
from tests.lti.conftest import Tool
from tests.support.browser import frame_showing
from tests.support.platform import OpenEdxPlatform, open_edx_platform


@pytest.fixture
def course_platform(tool: Tool) -> Iterator[OpenEdxPlatform]:
    with open_edx_platform(tool.url, host="localhost") as platform:
        with tool.database.transaction() as db:
            add_platform(db, PlatformSpec(**platform.registration()))
        platform.prepare(locale="it")
        yield platform


def _open_course(browser: Browser, platform: OpenEdxPlatform, showing: str) -> tuple[Page, Frame]:
    page = browser.new_page()
    page.goto(platform.url + "/course")
    # The launch crosses sites (tool, platform, tool): the frame is looked up anew.
    return page, frame_showing(page, "tool", showing)


def test_platform_storage_completes_a_launch_without_cookies(
    tool: Tool, course_platform: OpenEdxPlatform, browser: Browser
) -> None:
    page, frame = _open_course(browser, course_platform, "text=Attività di prova")
    assert frame.url.endswith("/lti/launch/verified")
    stored = page.evaluate("window.platformStorage")
    assert len(stored) == 1
    assert next(iter(stored)).startswith("state_")
    # The cookie path was not what let it in: the framed tool never got its cookie back.
    assert "Studente" in frame.content()
    page.close()


def test_platform_storage_answering_another_state_is_refused(
    tool: Tool, course_platform: OpenEdxPlatform, browser: Browser
) -> None:
    course_platform.storage_tamper = True
    page, frame = _open_course(browser, course_platform, "code:has-text('state_mismatch')")
    assert frame.is_visible('[role="alert"]')
    assert "Attività di prova" not in frame.content()
    page.close()
