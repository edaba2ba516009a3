"""The communities in headless Chromium inside the course frame, by keyboard, with axe."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Frame, Page

from opes_lti.communities import services as communities
from opes_lti.communities.spec import parse
from opes_lti.events.domain import Context
from opes_lti.learners.profile import Profile
from opes_lti.lti.launch import pseudonym
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


def _press(frame: Frame, selector: str, then: str) -> None:
    frame.focus(selector)
    frame.page.keyboard.press("Enter")
    frame.wait_for_selector(then)


def test_a_practice_is_written_sent_and_published_by_keyboard(
    tool: Tool, course: OpenEdxPlatform, browser: Browser
) -> None:
    """In Italian, on a phone: the sheet, its problems, review, the library, with axe."""
    with tool.database.transaction() as db:
        giovani = communities.find(db, "giovani")
        for user in ("anna", "carla"):
            communities.join(db, giovani, pseudonym(course.url, user), Profile(), Context(
                platform="lti"), "test")  # fmt: skip
        communities.members(db, giovani)[1].role = "coordinator"
    anna = _open(browser, course, "anna", "Comunità di pratica")
    _press(
        anna,
        "button[aria-label='Apri Giovani e partecipazione']",
        "text=Biblioteca delle buone pratiche",
    )
    _press(anna, "text=Condividi una pratica", "#cdp-title")
    assert serious_violations(anna) == [], "the practice sheet"
    anna.fill("#cdp-title", "Doposcuola <b>in rete</b>")
    anna.fill("#cdp-li-0-u", "javascript:alert(1)")
    _press(anna, "text=Salva la bozza", "text=La pratica non è ancora salvata")
    assert anna.get_attribute("#cdp-li-0-u", "aria-invalid") == "true"
    assert serious_violations(anna) == [], "the sheet with its problems"
    anna.fill("#cdp-li-0-u", "https://example.org/scheda")
    for field, text in (("problem", "Dispersione nella città"), ("audience", "Ragazzi"),
                        ("actions", "Attività"), ("results", "Meno abbandoni")):  # fmt: skip
        anna.fill(f"#cdp-{field}", text)
    _press(anna, "text=Salva la bozza", "text=La tua pratica è salvata come bozza.")
    assert "Doposcuola <b>in rete</b>" in anna.inner_text("h1")  # shown as typed
    _press(anna, "text=Invia in revisione", "text=Inviata al coordinatore")
    assert serious_violations(anna) == [], "a practice sent for review"
    carla = _open(browser, course, "carla", "Comunità di pratica")
    _press(
        carla, "button[aria-label='Apri Giovani e partecipazione']", "text=attende la tua revisione"
    )
    _press(carla, "text=Apri la biblioteca", "text=In attesa della tua revisione")
    _press(carla, "section[aria-labelledby=cdp-waiting] button", "button:text-is('Pubblica')")
    assert serious_violations(carla) == [], "a practice to review"
    carla.fill("#cdp-score-innovation", "4")
    _press(carla, "text=Salva i punteggi", "text=I tuoi punteggi sono salvati.")
    _press(carla, "button:text-is('Pubblica')", "text=Pubblicata: la pratica è nella biblioteca.")
    _press(carla, "text=Torna alla biblioteca", "#cdp-q")
    carla.fill("#cdp-q", "citta")
    # The answer page writes the words back into the box (filling it set no attribute).
    _press(carla, "button:text-is('Cerca')", "#cdp-q[value='citta']")
    assert "1 pratica trovata" in carla.inner_text("main")
    assert serious_violations(carla) == [], "the library searched"
    for frame in (anna, carla):
        frame.page.close()
