"""The self-assessment XBlock in xblock-sdk's workbench, in headless Chromium: a learner
fills it in by keyboard and mouse, sees the result, and axe finds nothing serious."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser

from tests.support import djangoconf
from tests.support.browser import serious_violations
from tests.support.servers import serve_wsgi

SCENARIO = "/scenario/opes_selfassessment.0/"
#: axe checks the block, not the workbench page around it.
BLOCK = ".opes-sa"


@pytest.fixture(scope="module")
def workbench() -> Iterator[str]:
    djangoconf.setup()
    from django.core.wsgi import get_wsgi_application

    with serve_wsgi(get_wsgi_application()) as url:
        yield url


def test_learner_fills_in_the_block_and_sees_the_result(workbench: str, browser: Browser) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 844}, locale="it-IT")
    page.goto(workbench + SCENARIO + "?student=browser-learner")
    page.wait_for_selector(".opes-sa .sa-profile:not([hidden])")
    assert serious_violations(page, BLOCK) == [], "profile step"
    page.click(".opes-sa .sa-skip")
    page.wait_for_selector(".opes-sa .sa-questions:not([hidden])")
    assert serious_violations(page, BLOCK) == [], "first screen"
    first = page.locator(".opes-sa .sa-screen:not([hidden]) input[type=radio]").first
    first.focus()
    page.keyboard.press("Space")  # the keyboard chooses level 1 of the first competence
    page.wait_for_function("document.querySelector('.opes-sa progress').value == 1")
    screens = page.locator(".opes-sa .sa-screen").count()
    assert screens == 5  # PA and RI, one competence per screen
    for number in range(1, screens):
        page.click(".opes-sa .sa-screen:not([hidden]) .sa-next")
        page.locator(".opes-sa .sa-screen:not([hidden]) .sa-level label").nth(3).click()
        page.wait_for_function(f"document.querySelector('.opes-sa progress').value == {number + 1}")
    assert "Schermata 5 di 5" in page.locator(".opes-sa .sa-progress-text").inner_text()
    page.click(".opes-sa .sa-screen:not([hidden]) .sa-submit")
    page.wait_for_selector(".opes-sa .sa-result svg.opes-chart")
    assert page.locator(".opes-sa .sa-result table tbody tr").count() == 5
    assert serious_violations(page, BLOCK) == [], "result"
    page.reload()  # the result is what the learner finds when coming back
    page.wait_for_selector(".opes-sa .sa-result svg.opes-chart")
    page.close()
