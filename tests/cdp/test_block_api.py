"""The communities through the tool's API for blocks: the XBlock face's system of record."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from opes_lti.cdp import block_api
from opes_lti.communities import services as communities
from opes_lti.communities.models import CommunityMember
from opes_lti.communities.spec import parse
from opes_lti.core.db import Database
from opes_lti.events.models import OutboxEntry
from opes_lti.sites import services
from tests.support.blockcalls import every_generated_call_is_documented

COURSE = "course-v1:OPES+CdP+2026"


def pseudonym(user: str) -> str:
    return hashlib.sha256(f"openedx\x1f{user}".encode()).hexdigest()


class Site:
    """A site's calls, acting for one person at a time."""

    def __init__(self, client: FlaskClient, token: str) -> None:
        self.client, self.token = client, token

    def call(self, name: str, user: str, /, status: int = 200, **body: Any) -> Any:
        answer = self.client.post(
            f"/api/v1/blocks/communities/{name}",
            json=body,
            headers={
                "Authorization": f"Bearer {self.token}",
                services.ACTOR: pseudonym(user),
                services.ROLE: "learner",
                services.COURSE: COURSE,
                "Accept-Language": "en",
            },
        )
        assert answer.status_code == status, answer.get_data(as_text=True)[:800]
        return answer.get_json()


@pytest.fixture
def site(client: FlaskClient, database: Database) -> Site:
    with database.transaction() as db:
        token = services.REGISTRY.add(db, "openedx-cdp").token
        space = "https://forum.example.org/c/giovani"
        communities.add(db, parse({"slug": "giovani", "name": "Giovani", "space_url": space}))
        communities.add(db, parse({"slug": "ambiente", "name": "Ambiente"}))
    return Site(client, token)


def test_join_see_as_agreed_and_leave(site: Site, database: Database) -> None:
    listed = site.call("list", "anna")["communities"]
    assert [(c["slug"], c["members"], c["member"]) for c in listed] == [
        ("ambiente", 0, False), ("giovani", 0, False)]  # fmt: skip
    profile = {"organisation": "ETS Anna", "region": "16"}
    joined = site.call("join", "anna", community="giovani", show_organisation=True,
                       profile=profile)  # fmt: skip
    anna = {"number": 1, "coordinator": False, "organisation": "ETS Anna", "region": ""}
    assert joined["community"]["members"] == [anna | {"you": True}]
    seen = site.call("open", "bruno", community="giovani")["community"]
    assert seen["members"] == [anna | {"you": False}]
    assert seen["member"] is False
    assert seen["space_url"] == "https://forum.example.org/c/giovani"
    site.call("join", "anna", community="giovani")  # again: one membership, one event
    with database.sessions() as db:
        assert list(db.scalars(sa.select(OutboxEntry.event_type))) == ["community.joined"]
    left = site.call("leave", "anna", community="giovani")
    assert left["community"]["members"] == []
    refused = site.call("leave", "anna", status=409, community="giovani")
    assert refused["error"]["code"] == "not_member"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"community": "nessuna"}, 404, "no_such_community"),
        ({"community": ""}, 400, "bad_request"),
        ({"community": "gio\x00vani"}, 400, "bad_request"),
        ({"community": "giovani", "profile": {"region": "99"}}, 400, "bad_profile"),
        ({"community": "giovani", "colour": "red"}, 400, "bad_request"),
    ],
)
def test_bad_calls_say_why_and_store_nothing(
    site: Site, database: Database, body: dict[str, Any], status: int, code: str
) -> None:
    refused = site.call("join", "anna", status=status, **body)
    assert refused["error"]["code"] == code
    assert refused["error"]["message"]
    with database.sessions() as db:
        assert db.scalar(sa.select(sa.func.count()).select_from(CommunityMember)) == 0


def test_a_closed_community_takes_nobody(site: Site, database: Database) -> None:
    with database.transaction() as db:
        communities.disable(db, "ambiente")
    assert [c["slug"] for c in site.call("list", "anna")["communities"]] == ["giovani"]
    assert site.call("join", "anna", status=409, community="ambiente")["error"]["code"] == (
        "disabled"
    )


def test_without_a_site_token_nothing_is_answered(client: FlaskClient) -> None:
    answer = client.post("/api/v1/blocks/communities/list", json={})
    assert answer.status_code == 401


@pytest.mark.parametrize("name", sorted(block_api.BODIES))
def test_every_generated_call_is_answered_as_documented(
    app: Any, database: Database, name: str
) -> None:
    with database.transaction() as db:
        token = services.REGISTRY.add(db, f"openedx-cdp-{name}").token
        communities.add(db, parse({"slug": "giovani", "name": "Giovani"}))
    every_generated_call_is_documented(app, token, f"/api/v1/blocks/communities/{name}")
