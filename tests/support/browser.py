"""Headless Debian Chromium through Playwright (never a downloaded browser), and axe."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from playwright.sync_api import Browser, sync_playwright

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
#: axe impact levels a page may not have.
BLOCKING = ("serious", "critical")


@contextmanager
def chromium() -> Iterator[Browser]:
    """A headless browser for a module's tests."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            yield browser
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
