"""A learner fills in the self-assessment in headless Chromium, by keyboard, inside the
course frame, and axe finds no serious accessibility problem on the way."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser

from opes_lti.lti.registrations import PlatformSpec, add_platform
from opes_lti.selfassessment.models import AnswerSet
from tests.lti.conftest import Tool
from tests.support.browser import frame_showing, serious_violations
from tests.support.platform import OpenEdxPlatform, open_edx_platform


@pytest.fixture
def course(tool: Tool) -> Iterator[OpenEdxPlatform]:
    with open_edx_platform(tool.url, host="localhost") as platform:
        with tool.database.transaction() as db:
            add_platform(db, PlatformSpec(**platform.registration()))
        platform.prepare(
            locale="it",
            custom={"activity": "selfassessment", "phase": "pre", "areas": "PA"},
        )
        yield platform


def _eventually(tool: Tool, expected: dict[str, int], seconds: float = 90) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with tool.database.sessions() as db:
            if db.scalar(sa.select(AnswerSet.answers)) == expected:
                return True
        time.sleep(0.05)
    return False


def test_learner_completes_the_questionnaire_by_keyboard_with_no_serious_axe_finding(
    tool: Tool, course: OpenEdxPlatform, browser: Browser
) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone
    page.goto(course.url + "/course")
    # Through the platform's pages and back: the tool's frame is looked up anew.
    frame = frame_showing(page, "tool", "text=Chi sei")
    assert serious_violations(frame) == []
    frame.check("#role-volunteer")
    frame.select_option("#region", "16")
    frame.click("text=Salva e continua")
    frame.wait_for_selector("text=Schermata 1 di 2")
    assert serious_violations(frame) == []
    # Keyboard only: into the first level, arrow down to the second, which is chosen.
    frame.focus('[id="level-PA.1-1"]')
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")
    frame.wait_for_selector("text=Salvato. Risposte date: 1 su 2.")  # saved as it went
    assert frame.is_checked('[id="level-PA.1-2"]')
    assert _eventually(tool, {"PA.1": 2})  # the last choice is the one kept
    frame.click("text=Avanti")
    frame.wait_for_selector("text=Schermata 2 di 2")
    frame.click('label[for="level-PA.2-4"]')
    frame.click("text=Invia le mie risposte")
    frame.wait_for_selector("text=Il mio profilo di competenze")
    assert frame.locator("svg.opes-chart").count() == 1
    assert "Atteso per il tuo ruolo" in frame.content()
    assert serious_violations(frame) == []
    page.close()
