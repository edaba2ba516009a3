"""The communities launched from Open edX's platform code: join, see, leave."""

from __future__ import annotations

import re

import requests
import sqlalchemy as sa

from opes_lti.communities import services as communities
from opes_lti.communities.models import CommunityMember
from opes_lti.communities.spec import parse
from opes_lti.events.domain import Context
from opes_lti.events.models import OutboxEntry
from opes_lti.learners import services as learners
from opes_lti.lti.launch import pseudonym
from tests.lti.conftest import Tool
from tests.support.platform import OpenEdxPlatform


def _token(page: str) -> str:
    found = re.search(r'name="token" value="([^"]*)"', page)
    assert found, page[-2000:]
    return found.group(1)


class Member:
    """Someone who launched the activity, with the token of their page."""

    def __init__(self, tool: Tool, platform: OpenEdxPlatform, user: str, custom: dict[str, str]):
        self.tool = tool
        result = platform.launch(role="student", user_id=user, custom=custom,
                                 resource_link_id="cdp-link", locale="en")  # fmt: skip
        assert result.response.status_code == 200, result.response.text[-1500:]
        self.page = result.response.text
        self.token = _token(self.page)

    def post(self, path: str, status: int = 200, **data: str) -> str:
        answer = requests.post(self.tool.url + "/community" + path,
                               data={"token": self.token, **data}, timeout=20)  # fmt: skip
        assert answer.status_code == status, (path, answer.status_code, answer.text[-1500:])
        self.page = answer.text
        return answer.text


def _seed(tool: Tool, platform: OpenEdxPlatform) -> None:
    with tool.database.transaction() as db:
        for slug, name in (("giovani", "Giovani e partecipazione"), ("ambiente", "Ambiente")):
            raw = {
                "slug": slug,
                "name": name,
                "space_url": "https://forum.example.org/c/" + slug,
                "description": "<p>Per <b>tutti</b><script>x()</script></p>",
            }
            communities.add(db, parse(raw))
        anna = pseudonym(platform.url, "anna")
        learners.save(db, anna, learners.Profile("volunteer", "ETS Anna & Co", "16"),
                      Context(platform="lti"), "test")  # fmt: skip


def test_learners_join_see_each_other_as_agreed_and_leave(
    tool: Tool, platform: OpenEdxPlatform
) -> None:
    _seed(tool, platform)
    anna = Member(tool, platform, "anna", {"activity": "community"})
    assert "Giovani e partecipazione" in anna.page
    assert "0 members" in anna.page
    page = anna.post("/open", community="giovani")
    assert "<b>tutti</b>" in page
    assert "<script>" not in page
    assert 'href="https://forum.example.org/c/giovani" rel="noopener noreferrer"' in page
    joined = anna.post("/join", community="giovani", show_organisation="yes")
    assert "Welcome to the community." in joined
    assert "You · ETS Anna &amp; Co" in joined
    bruno = Member(tool, platform, "bruno", {"activity": "community", "community": "giovani"})
    assert "Member 1 · ETS Anna &amp; Co" in bruno.page  # her organisation, as she agreed
    assert "Puglia" not in bruno.page  # her region: not agreed
    assert "All the communities" not in bruno.page  # the designer placed this one
    bruno.post("/join", community="giovani")
    anna.post("/join", community="giovani")  # again: still one membership
    with tool.database.sessions() as db:
        kinds = list(db.scalars(sa.select(OutboxEntry.event_type)))
        assert kinds.count("community.joined") == 2
    left = anna.post("/leave", community="giovani")
    assert "You have left the community." in left
    anna.post("/leave", status=409, community="giovani")
    with tool.database.sessions() as db:
        rows = db.scalars(sa.select(CommunityMember).order_by(CommunityMember.id)).all()
        assert [(r.left_at is None) for r in rows] == [False, True]


def test_bad_requests_say_why_and_change_nothing(tool: Tool, platform: OpenEdxPlatform) -> None:
    _seed(tool, platform)
    anna = Member(tool, platform, "anna", {"activity": "community"})
    missing = anna.post("/join", status=404, community="nessuna")
    assert "does not exist" in missing
    anna.post("/open", status=400, community="gio\x00vani")  # refused before any view
    with tool.database.transaction() as db:
        communities.disable(db, "ambiente")
    closed = anna.post("/join", status=409, community="ambiente")
    assert "closed" in closed
    assert "Ambiente" not in Member(tool, platform, "anna", {"activity": "community"}).page
    expired = requests.post(tool.url + "/community/join",
                            data={"token": "x", "community": "giovani"}, timeout=20)  # fmt: skip
    assert expired.status_code == 403
    with tool.database.sessions() as db:
        assert db.scalar(sa.select(sa.func.count()).select_from(CommunityMember)) == 0
    # A placement of the closed community opens on the list, saying so.
    closed_here = {"activity": "community", "community": "ambiente"}
    placed = platform.launch(role="student", user_id="anna", resource_link_id="cdp-link",
                             locale="en", custom=closed_here)  # fmt: skip
    assert placed.response.status_code == 409
    assert "closed" in placed.response.text
