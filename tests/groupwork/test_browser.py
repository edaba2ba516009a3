"""A whole group exercise in headless Chromium, inside the course frame: an instructor
and three learners, by keyboard where a person would, with the axe check on every page."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, Frame, Page

from opes_lti.groupwork.models import Membership
from opes_lti.lti.launch import pseudonym
from opes_lti.lti.registrations import PlatformSpec, add_platform
from tests.lti.conftest import Tool
from tests.support.browser import frame_showing, serious_violations
from tests.support.platform import OpenEdxPlatform, open_edx_platform

LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
PEOPLE = {"anna": "Anna Bianchi", "bruno": "Bruno Verdi", "carla": "Carla Neri"}
CUSTOM = {
    "activity": "groupwork",
    "formation": "random",
    "deliverable": "text",
    "scheme": "group",
    "exercise_config": str(uuid.uuid4()),
}


@pytest.fixture
def course(tool: Tool) -> Iterator[OpenEdxPlatform]:
    with open_edx_platform(tool.url, host="localhost") as platform:
        with tool.database.transaction() as db:
            add_platform(db, PlatformSpec(**platform.registration()))
        platform.enable_ags()
        platform.enable_nrps(
            [
                {"user_id": u, "roles": [LEARNER], "status": "Active", "name": n}
                for u, n in PEOPLE.items()
            ]
        )
        yield platform


def _open(browser: Browser, course: OpenEdxPlatform, user: str, role: str, text: str) -> Frame:
    """``user`` opens the course page; the tool's frame once it shows ``text``."""
    course.prepare(role=role, user_id=user, locale="it", custom=CUSTOM,
                   resource_link_id="block-gw-browser")  # fmt: skip
    page: Page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone
    page.goto(course.url + "/course")
    return frame_showing(page, "tool", f"text={text}")


def _clean(frame: Frame) -> None:
    assert serious_violations(frame) == []


def test_an_exercise_from_groups_to_grades_in_the_browser(
    tool: Tool, course: OpenEdxPlatform, browser: Browser
) -> None:
    teacher = _open(browser, course, "prof", "instructor", "3 partecipanti nell'elenco del corso")
    _clean(teacher)
    teacher.click("text=Impostazioni dell'esercitazione")
    teacher.wait_for_selector("text=Salva le impostazioni")
    _clean(teacher)
    teacher.fill("#gw-least", "1")
    teacher.fill("#gw-most", "2")
    teacher.fill("#gw-rubric", "Bisogno | vago = 0 | chiaro = 10")
    teacher.click("text=Salva le impostazioni")
    teacher.wait_for_selector("text=Impostazioni salvate.")
    teacher.click("text=Forma i gruppi ora")
    teacher.wait_for_selector("text=Gruppi formati per 3 partecipanti.")
    _clean(teacher)

    with tool.database.sessions() as db:
        rows = db.execute(sa.select(Membership.user, Membership.group_id)).all()
    group_of = dict(rows)
    ids = {u: pseudonym(course.url, u) for u in PEOPLE}
    pair = [u for u in PEOPLE if list(group_of.values()).count(group_of[ids[u]]) == 2]
    alone = next(u for u in PEOPLE if u not in pair)
    first, second = pair

    # The first writes; the second, at the same time, sees version 1 and saves over it.
    one = _open(browser, course, first, "student", "La bozza condivisa")
    _clean(one)
    one.focus("#gw-text")
    one.page.keyboard.type("Bisogno: giovani NEET del quartiere.")
    one.click("text=Salva la bozza")
    one.wait_for_selector("text=Salvata come versione 1.")
    two = _open(browser, course, second, "student", "La bozza condivisa")
    assert "giovani NEET" in two.input_value("#gw-text")
    two.fill("#gw-text", "Bisogno: giovani NEET del quartiere.\nObiettivo: 20 tirocini.")
    two.click("text=Salva la bozza")
    two.wait_for_selector("text=Salvata come versione 2.")
    # The first saves on top of version 1: refused, both texts shown, merged by hand.
    one.fill("#gw-text", "Bisogno: giovani NEET del quartiere, 16-24 anni.")
    one.click("text=Salva la bozza")
    one.wait_for_selector("text=Qualcuno ha salvato mentre scrivevi")
    _clean(one)
    assert "20 tirocini" in one.content()
    one.fill("#gw-merge", "Bisogno: giovani NEET, 16-24 anni.\nObiettivo: 20 tirocini.")
    one.click("text=Salva il testo unito")
    one.wait_for_selector("text=Salvata come versione 3.")
    one.click("text=Controlla e consegna…")
    one.wait_for_selector("text=Consegna ora")
    _clean(one)
    one.focus("#gw-seen")
    one.page.keyboard.press("Space")
    one.click("text=Consegna ora")
    one.wait_for_selector("text=Consegnato da")

    # The learner in the other group sees none of it.
    three = _open(browser, course, alone, "student", "La bozza condivisa")
    assert "giovani NEET" not in three.content()

    # The instructor grades the group by the rubric and publishes a grade per member.
    teacher = _open(browser, course, "prof", "instructor", "Gruppi, i loro membri e il loro lavoro")
    group_button = teacher.locator("table.gw-table tbody tr", has_text=PEOPLE[first]).locator(
        "button"
    )
    group_button.click()
    teacher.wait_for_selector("text=Chi era nel gruppo e quando")
    _clean(teacher)
    teacher.click('label[for="staff-c1-1"]')
    teacher.click("text=Salva la valutazione")
    teacher.wait_for_selector("text=Il voto del gruppo è salvato.")
    teacher.click("text=Pubblica i voti ai membri e nel registro")
    teacher.wait_for_selector("text=2 voti pubblicati.")
    _clean(teacher)

    again = _open(browser, course, first, "student", "Il tuo voto")
    assert "100" in again.inner_text("#grade + p")
