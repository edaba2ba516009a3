"""The communities in headless Chromium inside the course frame, by keyboard, with axe."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, Frame, Page

from opes_lti.communities import meeting
from opes_lti.communities import services as communities
from opes_lti.communities.spec import parse
from opes_lti.core.db import utcnow
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


def _community(browser: Browser, course: OpenEdxPlatform, user: str, then: str) -> Frame:
    """``user``'s community page, opened from the course, once ``then`` shows."""
    frame = _open(browser, course, user, "Comunità di pratica")
    _press(frame, "button[aria-label='Apri Giovani e partecipazione']", then)
    return frame


def test_the_whole_community_by_keyboard_from_joining_to_the_confirmed_records(
    tool: Tool, course: OpenEdxPlatform, browser: Browser
) -> None:
    """Join, share a practice, publish it, schedule a meeting, check in with its code,
    record a partnership with a public body and an intervention, confirm them, and see
    them on the community page: in Italian, on a phone, each screen checked by axe."""
    with tool.database.transaction() as db:
        giovani = communities.find(db, "giovani")
        communities.join(db, giovani, pseudonym(course.url, "carla"), Profile(),
                         Context(platform="lti"), "test")  # fmt: skip
        communities.members(db, giovani)[0].role = "coordinator"
    checked: list[str] = []

    def axe(frame: Frame, screen: str) -> None:
        assert serious_violations(frame) == [], screen
        checked.append(screen)

    # Anna joins and shares a practice.
    anna = _community(browser, course, "anna", "text=Entra nella comunità")
    _press(anna, "text=Entra nella comunità", "text=Benvenuto nella comunità.")
    axe(anna, "a member's community, with its partnerships and interventions")
    _press(anna, "text=Condividi una pratica", "#cdp-title")
    anna.fill("#cdp-title", "Doposcuola in rete")
    for field, text in (("problem", "Dispersione scolastica"), ("audience", "Ragazzi"),
                        ("actions", "Laboratori"), ("results", "Meno abbandoni")):  # fmt: skip
        anna.fill(f"#cdp-{field}", text)
    _press(anna, "text=Salva la bozza", "text=La tua pratica è salvata come bozza.")
    _press(anna, "text=Invia in revisione", "text=Inviata al coordinatore")
    anna.page.close()

    # Carla publishes it, schedules a meeting that began five minutes ago, opens a code.
    carla = _community(browser, course, "carla", "text=attende la tua revisione")
    _press(carla, "text=Apri la biblioteca", "text=In attesa della tua revisione")
    _press(carla, "section[aria-labelledby=cdp-waiting] button", "button:text-is('Pubblica')")
    _press(carla, "button:text-is('Pubblica')", "text=Pubblicata: la pratica è nella biblioteca.")
    carla.page.close()
    carla = _community(browser, course, "carla", "text=Incontri e presenze")
    _press(carla, "text=Incontri e presenze", "text=Metti in calendario un incontro")
    axe(carla, "the meetings, none yet")
    _press(carla, "text=Metti in calendario un incontro", "#cdp-day")
    starts = meeting.local(utcnow() - timedelta(minutes=5))
    carla.fill("#cdp-day", starts.date().isoformat())
    carla.fill("#cdp-time", starts.strftime("%H:%M"))
    carla.fill("#cdp-minutes", "90")
    carla.focus("#cdp-mode-online")
    carla.page.keyboard.press("Space")
    _press(carla, "text=Salva l'incontro", "text=L'incontro non è ancora salvato")
    assert carla.get_attribute("#cdp-link", "aria-invalid") == "true"
    axe(carla, "the meeting form with its problem")
    carla.fill("#cdp-link", "https://meet.example.org/giovani")
    _press(carla, "text=Salva l'incontro", "text=L'incontro è salvato.")
    _press(carla, "text=Apri un codice di presenza", "text=Codice per i membri:")
    axe(carla, "a meeting with its code open")
    code = carla.inner_text(".cdp-code").strip()
    carla.page.close()

    # Anna checks in with the code Carla read out.
    anna = _community(browser, course, "anna", "text=Incontri e presenze")
    _press(anna, "text=Incontri e presenze", "#cdp-code")
    anna.fill("#cdp-code", code.lower())
    _press(anna, "button:text-is('Registra la presenza')", "text=La tua presenza è registrata.")
    axe(anna, "a meeting checked in")
    anna.page.close()

    # Anna records a partnership with the municipality, then an intervention.
    anna = _community(browser, course, "anna", "text=Tutti i partenariati")
    _press(anna, "text=Tutti i partenariati", "text=Registra un partenariato")
    axe(anna, "the partnerships, none yet")
    _press(anna, "text=Registra un partenariato", "#cdp-title")
    anna.fill("#cdp-title", "Sportello giovani di quartiere")
    anna.select_option("#cdp-act", "co_design")
    anna.fill("#cdp-since", "2026-11-02")
    anna.fill("#cdp-orgs", "APS Roma")
    _press(anna, "button:text-is('Salva')", "text=Non è ancora salvata")
    assert anna.get_attribute("#cdp-pb-0-n", "aria-invalid") is None  # the list is named
    assert "Enti pubblici: controlla questo campo." in anna.inner_text("main")
    axe(anna, "the partnership form with its problem")
    anna.fill("#cdp-pb-0-n", "Comune di Roma")
    anna.select_option("#cdp-pb-0-k", "municipality")
    _press(anna, "button:text-is('Salva')", "text=Salvata: il coordinatore")
    axe(anna, "a partnership waiting for confirmation")
    anna.page.close()
    anna = _community(browser, course, "anna", "text=Tutti gli interventi")
    _press(anna, "text=Tutti gli interventi", "text=Registra un intervento")
    _press(anna, "text=Registra un intervento", "#cdp-title")
    anna.fill("#cdp-title", "Laboratori di quartiere")
    anna.select_option("#cdp-status", "running")
    anna.fill("#cdp-start", "2026-11-16")
    for box in ("#cdp-rg-12", "input[name=practices]", "input[name=meetings]"):
        anna.focus(box)
        anna.page.keyboard.press("Space")
    axe(anna, "the intervention form")
    _press(anna, "button:text-is('Salva')", "text=Salvata: il coordinatore")
    assert "Doposcuola in rete" in anna.inner_text("main")  # the practice it comes from
    anna.page.close()

    # Carla confirms both; a visitor then sees them on the community page.
    carla = _community(browser, course, "carla", "text=2 registrazioni attendono la tua conferma.")
    for kind in ("Tutti i partenariati", "Tutti gli interventi"):
        _press(carla, f"text={kind}", "section[aria-labelledby=cdp-waiting]")
        _press(carla, "section[aria-labelledby=cdp-waiting] button", "button:text-is('Conferma')")
        axe(carla, f"a record to confirm ({kind})")
        _press(carla, "button:text-is('Conferma')", "text=Confermata: ora conta")
        carla.page.close()
        carla = _community(browser, course, "carla", "text=Tutti gli interventi")
    carla.page.close()
    bruno = _community(browser, course, "bruno", "text=Entra nella comunità")
    seen = bruno.inner_text("main")
    assert "1 partenariato confermato, 1 con un ente pubblico:" in seen
    assert "Comune di Roma, APS Roma" in seen
    assert "1 intervento confermato, 1 avviato:" in seen
    assert "Laboratori di quartiere" in seen
    assert "Doposcuola in rete" in seen
    axe(bruno, "a visitor's community with its confirmed records")
    bruno.page.close()
    assert len(checked) == 12
