"""The dashboard in headless Chromium, as a coordinator uses it: keyboard, phone, axe."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from opes_lti.accounts import services as accounts
from opes_lti.core.db import Database
from tests.dashboard.conftest import FRAMEWORK, PASSWORD
from tests.support.browser import serious_violations
from tests.support.servers import serve_wsgi

#: Where to save each page's picture for docs/coordinator-guide.md, when asked to
#: (OPES_SCREENSHOTS=docs/images): a test run never writes into the checkout by itself.
SHOTS = os.environ.get("OPES_SCREENSHOTS")


@pytest.fixture
def dashboard(app: Flask, programme: Database) -> Iterator[str]:
    with programme.transaction() as db:
        accounts.add_account(db, "carla", PASSWORD, "coordinator", ["national"])
    with serve_wsgi(app) as url:
        yield url


def _sign_in(page: Any, url: str) -> None:
    page.goto(url + "/dashboard/?lang=en")
    page.get_by_label("Username").fill("carla")
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Programme overview").wait_for()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_coordinator_signs_in_filters_drills_down_and_exports(
    browser: Any, dashboard: str
) -> None:
    page = browser.new_page()
    _sign_in(page, dashboard)
    assert serious_violations(page) == []
    page.get_by_role("navigation", name="Dashboard pages").get_by_role(
        "link", name="Knowledge gap"
    ).click()
    page.get_by_role("heading", name="Knowledge gap").wait_for()
    assert serious_violations(page) == []
    # By keyboard: open the filters, choose a region and apply them.
    page.locator("summary", has_text="Filters").focus()
    page.keyboard.press("Enter")
    page.get_by_label("Region").select_option("12")
    page.get_by_role("button", name="Apply").press("Enter")
    page.wait_for_url("**region=12**")
    page.locator("tbody a").first.click()  # the one framework, by its title
    page.get_by_role("caption").filter(has_text="Areas").wait_for()
    assert page.locator("tbody a[href*='area=PS']").count() == 1
    assert page.locator("tbody a[href*='area=GO']").count() == 0  # region 16's area
    page.locator("tbody a[href*='area=PS']").click()
    page.get_by_role("caption").filter(has_text="Competences").wait_for()
    assert serious_violations(page) == []
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert "PS.1" in text
    assert "GO.1" not in text
    page.close()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_every_page_reads_on_a_phone_and_passes_axe(browser: Any, dashboard: str) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 844})
    _sign_in(page, dashboard)
    for path, name in [
        ("/dashboard/?lang=it", "overview"),
        (f"/dashboard/gap?framework={FRAMEWORK}&lang=it", "gap"),
        ("/dashboard/follow-up?lang=it", "follow-up"),
        ("/dashboard/communities?lang=it", "communities"),
        ("/dashboard/definitions?lang=it", "definitions"),
    ]:
        page.goto(dashboard + path)
        page.get_by_role("heading", level=1).wait_for()
        assert serious_violations(page) == [], path
        # Nothing wider than the phone but the tables, which scroll in their own box.
        overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")
        assert not overflow, path
        if SHOTS:
            page.screenshot(path=str(Path(SHOTS) / f"dashboard-{name}-phone.png"))
            if name == "overview":
                chart = page.locator("figure.chart")
                chart.screenshot(path=str(Path(SHOTS) / "dashboard-overview-months.png"))
    page.close()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_administrator_reaches_the_sources_by_keyboard_and_they_pass_axe(
    browser: Any, dashboard: str, programme: Database
) -> None:
    from opes_lti.reporting import sources
    from opes_lti.reporting.ingest import ingest
    from opes_lti.reporting.traffic import of_items, record
    from tests.support.factories import event_json

    with programme.transaction() as db:
        accounts.add_account(db, "ada", PASSWORD, "admin", ["national"])
        source = sources.add_source(db, "moodle-b").row
        refused = ingest(db, sources.Caller(source.id, source.name), [event_json()])
        record(db, source.id, of_items(refused), refused_at := datetime.now(UTC))
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(dashboard + "/dashboard/?lang=en")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")
    link = page.get_by_role("navigation", name="Dashboard pages").get_by_role(
        "link", name="Sources"
    )
    link.focus()
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Why events from moodle-b were refused").wait_for()
    assert page.get_by_text(refused_at.strftime("%Y-%m-%d")).count() >= 1
    assert serious_violations(page) == []
    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")
    assert not overflow
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / "dashboard-sources-phone.png"))
    page.close()
