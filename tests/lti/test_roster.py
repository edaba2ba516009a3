"""Rosters from the platform's Names and Role Provisioning Service, page by page."""

from __future__ import annotations

import jwt
import pytest
import sqlalchemy as sa

from opes_lti.core.db import session
from opes_lti.lti import roster
from opes_lti.lti.launch import Launch
from opes_lti.lti.models import Platform
from opes_lti.lti.runtime import store
from tests.lti.conftest import Tool
from tests.support.platform import OpenEdxPlatform

LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
TEACHER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
MEMBERS = [
    {
        "user_id": f"u{n}",
        "roles": [TEACHER if n == 0 else LEARNER],
        "status": "Active",
        "name": f"Persona {n}",
    }
    for n in range(5)
]


def _launch(tool: Tool, platform: OpenEdxPlatform) -> Launch:
    """The launch as the tool validated it (the claims the platform signed)."""
    result = platform.launch(role="instructor")
    assert result.response.status_code == 200
    claims = jwt.decode(result.id_token, options={"verify_signature": False})
    with tool.database.sessions() as db:
        registered = db.scalar(sa.select(Platform))
    return Launch(platform=registered, claims=claims, user="x", locale="it")


def _fetch(tool: Tool, launch: Launch, refresh: bool = False) -> list[roster.Member]:
    with tool.app.app_context():
        return roster.fetch(session(), store(), launch, refresh=refresh)


def test_roster_follows_every_page(tool: Tool, platform: OpenEdxPlatform) -> None:
    platform.enable_nrps(MEMBERS)
    members = _fetch(tool, _launch(tool, platform))
    assert [m.user_id for m in members] == ["u0", "u1", "u2", "u3", "u4"]
    assert platform.roster_pages == 3
    assert [m.is_learner for m in members] == [False, True, True, True, True]
    assert members[2].name == "Persona 2"


def test_roster_is_cached_then_refreshed_on_demand(tool: Tool, platform: OpenEdxPlatform) -> None:
    platform.enable_nrps(MEMBERS)
    launch = _launch(tool, platform)
    _fetch(tool, launch)
    platform.members = [*MEMBERS, {"user_id": "u9", "roles": [LEARNER]}]
    assert len(_fetch(tool, launch)) == 5
    assert platform.roster_pages == 3
    assert len(_fetch(tool, launch, refresh=True)) == 6


def test_roster_absent_service_is_said(tool: Tool, platform: OpenEdxPlatform) -> None:
    launch = _launch(tool, platform)
    assert not roster.has_roster(launch)
    with pytest.raises(roster.NoRosterService):
        _fetch(tool, launch)
