"""The group exercise XBlock in the workbench, in headless Chromium, against a live tool:
two learners open it, their groups are formed, both write at once and merge by keyboard,
one hands in; axe finds nothing serious on any step."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from playwright.sync_api import Browser, Page

from opes_lti.core.db import Database
from opes_lti.groupwork.models import Exercise
from opes_lti.sites import services as sites
from tests.support import djangoconf
from tests.support.browser import serious_violations
from tests.support.servers import serve_wsgi

SCENARIO = "/scenario/opes_groupwork.0/"
BLOCK = ".opes-gw"


@pytest.fixture
def workbench(app: Flask, database: Database) -> Iterator[tuple[str, str]]:
    djangoconf.setup()
    from django.core.wsgi import get_wsgi_application
    from django.test import override_settings

    with database.transaction() as db:
        token = sites.REGISTRY.add(db, "openedx-browser").token
    with serve_wsgi(app) as tool, serve_wsgi(get_wsgi_application()) as url:
        bucket = {"TOOL_URL": tool, "TOOL_TOKEN": token}
        with override_settings(XBLOCK_SETTINGS={"OPES": bucket}):
            yield url, token


def _open(browser: Browser, url: str, student: str, scenario: str = SCENARIO) -> Page:
    page = browser.new_page(viewport={"width": 390, "height": 844}, locale="it-IT")
    page.goto(f"{url}{scenario}?student={student}")
    page.wait_for_selector(".opes-gw h2")
    return page


def _save(page: Page, text: str, saved: str) -> None:
    """Write the draft and save it; wait until the block says ``saved``."""
    page.fill(".opes-gw textarea", text)
    page.click(".opes-gw .gw-draft-form button")
    page.locator(".opes-gw .gw-status", has_text=saved).wait_for()


def _hand_in(page: Page) -> None:
    """Confirm the version read and hand it in."""
    page.check(".opes-gw .gw-submit-form input[type=checkbox]")
    page.click(".opes-gw .gw-submit-form button")
    page.wait_for_selector(".opes-gw .gw-submitted")


def _form_groups(app: Flask, database: Database, token: str) -> None:
    """The instructor's call, as the block sends it for staff (the workbench has none)."""
    import hashlib

    with database.sessions() as db:
        exercise = db.scalars(sa.select(Exercise)).one()
        body: dict[str, Any] = {
            "placement": exercise.placement_id,
            "settings": exercise.settings,
        }
        course = exercise.context_id
    answer = app.test_client().post(
        "/api/v1/blocks/groupwork/form",
        json=body,
        headers={
            "Authorization": f"Bearer {token}",
            sites.ACTOR: hashlib.sha256(b"docente").hexdigest(),
            sites.ROLE: "staff",
            sites.COURSE: course,
        },
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)


def test_two_learners_write_merge_and_hand_in(
    workbench: tuple[str, str], browser: Browser, app: Flask, database: Database
) -> None:
    url, token = workbench
    anna, bruno = _open(browser, url, "anna"), _open(browser, url, "bruno")
    assert "non sono ancora formati" in anna.inner_text(BLOCK)
    assert serious_violations(anna, BLOCK) == [], "before the groups"
    _form_groups(app, database, token)
    for page in (anna, bruno):
        page.reload()
        page.wait_for_selector(".opes-gw .gw-draft-form textarea")
    assert serious_violations(anna, BLOCK) == [], "the group page"

    _save(anna, "Obiettivi del progetto", "versione 1")
    assert "Salvato come versione 1" in anna.inner_text(".opes-gw .gw-status")

    # Bruno's page still holds version 0: his save meets Anna's, and he merges by keyboard.
    bruno.fill(".opes-gw textarea", "Il budget")
    bruno.focus(".opes-gw .gw-draft-form button")
    bruno.keyboard.press("Enter")
    bruno.wait_for_selector(".opes-gw .gw-conflict")
    assert "Obiettivi del progetto" in bruno.inner_text(".opes-gw .gw-theirs")
    assert serious_violations(bruno, BLOCK) == [], "the conflict"
    _save(bruno, "Obiettivi del progetto\nIl budget", "versione 2")
    assert "versione 2" in bruno.inner_text(".opes-gw .gw-notice")

    # What changed in version 2, by keyboard: the panel opens and takes the focus.
    bruno.focus(".opes-gw .gw-versions summary")
    bruno.keyboard.press("Enter")
    bruno.focus(".opes-gw button[aria-label='Mostra la versione 2']")
    bruno.keyboard.press("Enter")
    bruno.wait_for_selector(".opes-gw .gw-version-panel")
    assert bruno.inner_text(".opes-gw .gw-version-panel .gw-added").endswith("Il budget")
    focused = bruno.evaluate("document.activeElement.textContent")
    assert focused == "Versione 2 della bozza"
    assert serious_violations(bruno, BLOCK) == [], "a version's changes"

    _hand_in(bruno)
    assert "(versione 2)" in bruno.inner_text(".opes-gw .gw-submitted")
    assert serious_violations(bruno, BLOCK) == [], "handed in"
    anna.reload()
    anna.wait_for_selector(".opes-gw .gw-submitted")
    assert anna.locator(".opes-gw textarea").count() == 0  # nothing to edit after hand-in
    anna.close()
    bruno.close()


def test_peer_marks_and_the_instructors_grading_by_keyboard(
    workbench: tuple[str, str], browser: Browser, monkeypatch: pytest.MonkeyPatch
) -> None:
    from opes_xblocks import compat

    # The workbench has no staff: "docente" is course staff here, as Open edX says it.
    monkeypatch.setattr(compat, "viewer_is_staff", lambda b: b.runtime.user_id == "docente")
    url, _token = workbench
    peer = "/scenario/opes_groupwork.1/"
    anna, bruno = _open(browser, url, "anna", peer), _open(browser, url, "bruno", peer)
    docente = _open(browser, url, "docente", peer)
    assert "Studenti che hanno aperto questa esercitazione: 2" in docente.inner_text(BLOCK)
    docente.click(".opes-gw .gw-form")
    docente.wait_for_selector(".opes-gw .gw-open")
    assert serious_violations(docente, BLOCK) == [], "the instructors' table"

    for page, marks in ((anna, ("4", "2")), (bruno, ("3", "3"))):
        page.reload()
        page.wait_for_selector(".opes-gw .gw-rate-form")
        fields = page.locator(".opes-gw .gw-rate-form input[type=number]")
        for n, mark in enumerate(marks):
            fields.nth(n).fill(mark)
        page.focus(".opes-gw .gw-rate-form button")
        page.keyboard.press("Enter")
        page.wait_for_selector(".opes-gw .gw-notice")
        assert "I tuoi voti sono salvati" in page.inner_text(".opes-gw .gw-status")
    assert serious_violations(anna, BLOCK) == [], "the peer marks"
    # The marks' notice is on her page already: _save waits for the draft's own.
    _save(anna, "Piano", "versione 1")
    _hand_in(anna)

    docente.reload()
    docente.focus(".opes-gw .gw-open")
    docente.keyboard.press("Enter")
    docente.wait_for_selector(".opes-gw .gw-detail")
    assert "Piano" in docente.inner_text(".opes-gw .gw-detail .gw-text")
    docente.fill(".opes-gw .gw-grade-form input[name=score]", "60")
    docente.focus(".opes-gw .gw-grade-form button")
    docente.keyboard.press("Enter")
    docente.wait_for_selector(".opes-gw .gw-notice")
    grades = docente.inner_text(".opes-gw .gw-detail")
    assert "fattore dei pari" in grades
    assert serious_violations(docente, BLOCK) == [], "a group's grades"
    docente.click(".opes-gw .gw-publish")
    # The grade's notice is on the page already: wait for the new one.
    docente.locator(".opes-gw .gw-status", has_text="voti pubblicati").wait_for()
    assert "2 voti pubblicati" in docente.inner_text(".opes-gw .gw-status")
    anna.reload()
    anna.wait_for_selector(".opes-gw .gw-grade")
    assert "su 100" in anna.inner_text(".opes-gw .gw-grade")
    for page in (anna, bruno, docente):
        page.close()


PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def _share(page: Page, name: str) -> None:
    """Choose a file and share it; wait until the block lists it."""
    page.set_input_files(
        ".opes-gw input[type=file]", files=[{"name": name, "mimeType": "application/pdf",
                                             "buffer": PDF}]
    )  # fmt: skip
    page.focus(".opes-gw .gw-upload-form button")
    page.keyboard.press("Enter")
    page.locator(".opes-gw .gw-file-list", has_text=name).wait_for()


def test_files_and_reviews_between_groups_by_keyboard(
    workbench: tuple[str, str], browser: Browser, monkeypatch: pytest.MonkeyPatch
) -> None:
    from opes_xblocks import compat

    monkeypatch.setattr(compat, "viewer_is_staff", lambda b: b.runtime.user_id == "docente")
    url, _token = workbench
    scenario = "/scenario/opes_groupwork.2/"
    anna, bruno = _open(browser, url, "anna", scenario), _open(browser, url, "bruno", scenario)
    docente = _open(browser, url, "docente", scenario)
    docente.click(".opes-gw .gw-form")
    docente.wait_for_selector(".opes-gw .gw-open")

    for page, name in ((anna, "progetto-anna.pdf"), (bruno, "progetto-bruno.pdf")):
        page.reload()
        page.wait_for_selector(".opes-gw .gw-upload-form")
        _share(page, name)
        assert "è condiviso con il gruppo" in page.inner_text(".opes-gw .gw-status")
        if page is anna:
            assert serious_violations(anna, BLOCK) == [], "the group's files"
            with anna.expect_download() as fetched:
                anna.click(".opes-gw .gw-file-list a")
            assert fetched.value.suggested_filename == name
            assert Path(fetched.value.path()).read_bytes() == PDF
        page.check(".opes-gw .gw-submit-form input[type=checkbox]")
        page.focus(".opes-gw .gw-submit-form button")
        page.keyboard.press("Enter")
        page.wait_for_selector(".opes-gw .gw-submitted")
        assert name in page.inner_text(".opes-gw .gw-submitted")

    docente.reload()
    docente.focus(".opes-gw .gw-start-reviews")
    docente.keyboard.press("Enter")
    docente.locator(".opes-gw .gw-status", has_text="revisioni assegnate").wait_for()
    assert "Chi aspetta chi" in docente.inner_text(BLOCK)
    assert serious_violations(docente, BLOCK) == [], "who waits on whom"

    anna.reload()
    anna.wait_for_selector(".opes-gw .gw-review-form")
    assert "progetto-bruno.pdf" in anna.inner_text(".opes-gw .gw-review")
    assert serious_violations(anna, BLOCK) == [], "a review to give"
    anna.focus(".opes-gw .gw-review-form input[type=radio]")
    anna.keyboard.press("ArrowDown")  # the second level: "buona"
    anna.fill(".opes-gw .gw-review-form textarea", "Chiaro e fattibile")
    anna.focus(".opes-gw .gw-review-form button")
    anna.keyboard.press("Enter")
    anna.wait_for_selector(".opes-gw .gw-review-done")
    bruno.reload()
    bruno.wait_for_selector(".opes-gw .gw-received")
    received = bruno.inner_text(".opes-gw .gw-received")
    assert "10 punti" in received
    assert "Chiaro e fattibile" in received
    assert serious_violations(bruno, BLOCK) == [], "reviews received"
    for page in (anna, bruno, docente):
        page.close()
