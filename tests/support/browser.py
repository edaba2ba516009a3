"""Headless Debian Chromium through Playwright (never a downloaded browser), and axe."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from playwright.sync_api import Browser, Frame, Page, sync_playwright
from playwright.sync_api import Error as PlaywrightError

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
#: axe impact levels a page may not have.
BLOCKING = ("serious", "critical")
#: Every wait of every page, in milliseconds. Generous: on two cores shared with the
#: servers under test (and CI's other jobs), a launch's three redirects can take seconds.
#: A wait ends as soon as its condition holds, so a quiet machine pays nothing for this.
WAIT_MS = 90_000
#: One try of :func:`frame_showing`, after which the frames are listed again.
_TRY_MS = 1_000


class _GenerousBrowser:
    """The browser, each new page waiting up to :data:`WAIT_MS` for what a test awaits."""

    def __init__(self, browser: Browser) -> None:
        self._browser = browser

    def new_page(self, **kwargs: Any) -> Page:
        """A page whose every wait, click and navigation may take :data:`WAIT_MS`."""
        page = self._browser.new_page(**kwargs)
        page.set_default_timeout(WAIT_MS)
        page.set_default_navigation_timeout(WAIT_MS)
        return page

    def __getattr__(self, name: str) -> Any:
        return getattr(self._browser, name)


@contextmanager
def chromium() -> Iterator[Browser]:
    """A headless browser for a module's tests."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                # An LTI launch moves the tool's frame across sites three times. With a
                # process per site, Playwright could lose the frame in one of those
                # swaps on a busy machine (it kept reporting the platform's page while
                # the tool had answered). Cookies and storage stay per site either way,
                # which is what the tests are about.
                "--disable-site-isolation-trials",
            ],
            timeout=WAIT_MS,
        )
        try:
            yield _GenerousBrowser(browser)  # type: ignore[misc]
        finally:
            browser.close()


def serious_violations(target: Any, context: str | None = None) -> list[str]:
    """axe-core's serious and critical findings on a page or frame, one line each.

    ``context`` limits the check to a part of the page (a block inside a host page that
    is not ours to fix, as the workbench's).
    """
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(target, context=context)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v.get("impact") in BLOCKING
    ]


def frame_showing(page: Page, name: str, selector: str) -> Frame:
    """The frame called ``name``, once it shows ``selector``: the live one, looked up anew.

    A Frame object taken before the iframe navigates across sites (tool, platform, tool
    again, as an LTI launch does) can be replaced when Chromium moves the frame to
    another process; a wait on the old one, or on a frame locator that resolved to it
    mid-swap, can then never end. So the frames are listed anew at every short try,
    until :data:`WAIT_MS` has passed; a failure says what each frame was showing.
    """
    deadline = time.monotonic() + WAIT_MS / 1000
    while True:
        for frame in page.frames:
            if frame.name != name or frame.is_detached():
                continue
            try:
                frame.locator(selector).first.wait_for(state="attached", timeout=_TRY_MS)
            except PlaywrightError:  # not there yet, or the frame went away mid-try
                continue
            return frame
        if time.monotonic() > deadline:
            break
    shown = {f.name or "(main)": f.url for f in page.frames}
    raise AssertionError(f"no frame {name!r} showed {selector!r} in {WAIT_MS} ms; frames: {shown}")
