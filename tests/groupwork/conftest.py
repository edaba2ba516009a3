"""An exercise placed on a registered platform, for the group work services."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest

from opes_lti.core.db import Database
from opes_lti.events.domain import Context
from opes_lti.groups.formation import Member
from opes_lti.groupwork import exercises
from opes_lti.groupwork.membership import Joining
from opes_lti.lti.registrations import add_platform
from tests.support.factories import platform_spec

_links = itertools.count(1)

MakeExercise = Callable[..., int]


def settings(**overrides: Any) -> dict[str, Any]:
    """Valid settings with ``overrides``."""
    return {"title": "Progettare per un bando", "least": 2, "most": 3, **overrides}


def joining(user: str, organisation: str = "", region: str = "", community: str = "") -> Joining:
    """A learner coming to the exercise."""
    return Joining(Member(user, organisation, region, community), subject=f"sub-{user}")


@pytest.fixture
def platform_id(database: Database) -> int:
    with database.transaction() as db:
        return add_platform(db, platform_spec("https://lms.example")).id


def where(platform_id: int, link: str) -> exercises.Where:
    """The placement ``link`` of course ``course-1``."""
    return exercises.Where(
        Context(
            platform="lti", platform_id="https://lms.example", course="course-1", activity=link
        ),
        link,
        platform_id=platform_id,
    )


@pytest.fixture
def make_exercise(database: Database, platform_id: int) -> MakeExercise:
    """An exercise with these settings; its id."""

    def make(**overrides: Any) -> int:
        with database.transaction() as db:
            found = exercises.open_exercise(
                db, where(platform_id, f"link-{next(_links)}"), settings(**overrides)
            )
            db.flush()
            return found.id

    return make


from tests.lti.conftest import platform, tool  # noqa: E402, F401
