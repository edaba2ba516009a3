"""The tool and an Open edX platform, over a programme in which the launched course has
a twin: the same course id on another platform instance."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from opes_lti.core.db import Database
from opes_lti.dashboard import rollups
from opes_lti.reporting import sources
from opes_lti.reporting.ingest import ingest
from tests.dashboard.conftest import FRAMEWORK, GROUPS, START, _events
from tests.lti import conftest as lti
from tests.lti.conftest import Tool
from tests.support.factories import event_json
from tests.support.platform import OpenEdxPlatform

COURSE = "course-v1:OPES+PS+2026"
TWIN_PLATFORM = "https://altro-openedx.example.it"
#: The launched course's learners answer PA.1; its twin's answer PA.2.
MINE, TWINS = "PA.1", "PA.2"
LEARNERS = 6

# The LTI tests' fixtures: the tool served on loopback, and Open edX's platform code.
tool, platform = lti.tool, lti.platform


def answers(platform_id: str, competency: str, prefix: str) -> Iterator[dict[str, Any]]:
    """Six learners' pre and post answers on one competence in ``COURSE`` on ``platform_id``."""
    for n in range(LEARNERS):
        actor = {"id": f"{prefix}-{n}", "role": "staff", "organisation": prefix, "region": "09"}
        for phase, level, days in (("pre", 1, 0), ("post", 4, 30)):
            yield event_json(
                actor=actor,
                occurred_at=START.replace(day=2 + days % 27).isoformat(),
                context={"platform": "openedx", "platform_id": platform_id, "course": COURSE},
                payload={
                    "framework": FRAMEWORK,
                    "framework_version": "2026.1",
                    "competency": competency,
                    "area": "PA",
                    "level": level,
                    "max_level": 5,
                    "phase": phase,
                },
            )


@pytest.fixture
def course_programme(tool: Tool, platform: OpenEdxPlatform) -> Database:
    """The dashboard's programme, the launched course's answers and its twin's, counted."""
    database = tool.database
    with database.sessions.begin() as db:
        source = sources.add_source(db, "tool-a").row
        caller = sources.Caller(source.id, source.name)
    events = [e for g in GROUPS for e in _events(g)]
    events += [*answers(platform.url, MINE, "mio"), *answers(TWIN_PLATFORM, TWINS, "gemello")]
    with database.sessions.begin() as db:
        ingest(db, caller, events)
    rollups.count_all(database.sessions)
    return database


def hidden(page: str, name: str) -> str:
    """The value of the hidden field ``name`` in ``page``."""
    found = re.search(rf'name="{name}" value="([^"]+)"', page)
    assert found, page[:500]
    return found.group(1)


def action(page: str) -> str:
    """Where the page's last form posts."""
    return re.findall(r'<form[^>]*action="([^"]+)"', page)[-1]


def handoff_from(platform: OpenEdxPlatform, tool: Tool, **claims: Any) -> tuple[str, str]:
    """Launch Course outcomes as an instructor and click through: (enter URL, token)."""
    # A title that is no area's, so a page naming an area shows that area's data.
    claims.setdefault("course_title", "Corso OPES 2026")
    launch = platform.launch(role="instructor", custom={"activity": "outcomes"}, **claims)
    assert launch.response.status_code == 200, launch.response.text[:300]
    opened = requests.post(
        tool.url + "/outcomes/open",
        data={"token": hidden(launch.response.text, "token")},
        timeout=10,
    )
    assert opened.status_code == 200, opened.text[:300]
    assert opened.headers["Cache-Control"] == "no-store"
    return action(opened.text), hidden(opened.text, "token")


def enter(url: str, token: str) -> tuple[requests.Session, requests.Response]:
    """A fresh browser posting the token: the session it ends with, and the answer."""
    browser = requests.Session()
    answer = browser.post(url, data={"token": token}, allow_redirects=False, timeout=10)
    return browser, answer
