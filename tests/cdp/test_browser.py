"""The communities in headless Chromium inside the course frame, by keyboard, with axe."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Frame, Page

from opes_lti.communities import services as communities
from opes_lti.communities.spec import parse
from opes_lti.lti.registrations import PlatformSpec, add_platform
from tests.lti.conftest import Tool
from tests.support.browser import frame_showing, serious_violations
from tests.support.platform import OpenEdxPlatform, open_edx_platform


@pytest.fixture
def course(tool: Tool) -> Iterator[OpenEdxPlatform]:
    with open_edx_platform(tool.url, host="localhost") as platform:
        with tool.database.transaction() as db:
            add_platform(db, PlatformSpec(**platform.registration()))
            space = "https://forum.example.org/c/giovani"
            giovani = {"slug": "giovani", "name": "Giovani e partecipazione", "space_url": space}
            communities.add(db, parse(giovani))
            communities.add(db, parse({"slug": "ambiente", "name": "Ambiente e territorio"}))
        yield platform


def _open(browser: Browser, course: OpenEdxPlatform, user: str, text: str) -> Frame:
    course.prepare(role="student", user_id=user, locale="it", custom={"activity": "community"},
                   resource_link_id="block-cdp-browser")  # fmt: skip
    page: Page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone
    page.goto(course.url + "/course")
    return frame_showing(page, "tool", f"text={text}")


def test_a_learner_joins_a_community_and_leaves_it_by_keyboard(
    tool: Tool, course: OpenEdxPlatform, browser: Browser
) -> None:
    frame = _open(browser, course, "anna", "Comunità di pratica")
    assert serious_violations(frame) == [], "the communities"
    frame.focus("button[aria-label='Apri Giovani e partecipazione']")
    frame.page.keyboard.press("Enter")
    frame.wait_for_selector("text=Entra nella comunità")
    assert serious_violations(frame) == [], "a community"
    link = frame.locator("a[href='https://forum.example.org/c/giovani']")
    assert link.get_attribute("rel") == "noopener noreferrer"
    frame.focus("#cdp-show-org")
    frame.page.keyboard.press("Space")
    frame.focus("text=Entra nella comunità")
    frame.page.keyboard.press("Enter")
    frame.wait_for_selector("text=Benvenuto nella comunità.")
    assert "1 membro" in frame.inner_text("main")
    assert serious_violations(frame) == [], "a member's community"
    frame.focus("text=Lascia la comunità")
    frame.page.keyboard.press("Enter")
    frame.wait_for_selector("text=Hai lasciato la comunità.")
    assert "0 membri" in frame.inner_text("main")
    frame.page.close()
