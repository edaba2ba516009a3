"""Launches from a second, independent platform implementation (lti1p3platform)."""

from __future__ import annotations

import sqlalchemy as sa

from opes_lti.lti.launch import pseudonym
from opes_lti.lti.models import LaunchRecord
from opes_lti.lti.registrations import PlatformSpec, add_platform
from tests.lti.conftest import Tool
from tests.support.second_platform import second_platform


def test_second_platform_launches_learners_and_instructors(tool: Tool) -> None:
    with second_platform(tool.url) as platform:
        with tool.database.transaction() as db:
            add_platform(db, PlatformSpec(**platform.tool_registration()))
        learner = platform.launch()
        instructor = platform.launch(role="Instructor", locale="en")
    assert learner.status_code == 200, learner.text[-500:]
    assert "Attività di prova" in learner.text
    assert "Reti e partenariati" in learner.text
    assert instructor.status_code == 200, instructor.text[-500:]
    assert "Class view" in instructor.text
    with tool.database.sessions() as db:
        users = set(db.scalars(sa.select(LaunchRecord.user)))
    assert users == {pseudonym(platform.url, "learner-9")}
