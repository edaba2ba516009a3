"""The practice library through the tool's API for blocks: the same rules as the pages."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from opes_lti.cdp import library_api
from opes_lti.communities import services as communities
from opes_lti.communities.models import Practice
from opes_lti.communities.spec import parse
from opes_lti.core.db import Database
from opes_lti.events.models import OutboxEntry
from opes_lti.sites import services
from tests.cdp.test_block_api import Site, pseudonym
from tests.support.blockcalls import every_generated_call_is_documented

SHEET: dict[str, Any] = {
    "title": "Orti urbani <img src=x onerror=alert(1)>",
    "problem": "<p>Quartieri senza verde nella città</p><script>x()</script>",
    "audience": "Famiglie",
    "actions": "Orti condivisi",
    "results": "Venti famiglie coinvolte",
    "themes": ["ambiente"],
}


@pytest.fixture
def site(client: FlaskClient, database: Database) -> Site:
    with database.transaction() as db:
        token = services.REGISTRY.add(db, "openedx-library").token
        communities.add(db, parse({"slug": "giovani", "name": "Giovani"}))
        communities.add(db, parse({"slug": "ambiente", "name": "Ambiente"}))
    return Site(client, token)


def _member(site: Site, user: str, community: str = "giovani") -> None:
    site.call("join", user, community=community)


def _coordinate(database: Database, user: str, community: str = "giovani") -> None:
    with database.transaction() as db:
        found = communities.membership(db, communities.find(db, community), pseudonym(user))
        assert found is not None
        found.role = "coordinator"


def test_a_block_shares_a_practice_a_coordinator_publishes_and_anyone_finds_it(
    site: Site, database: Database
) -> None:
    for user in ("anna", "carla"):
        _member(site, user)
    _coordinate(database, "carla")
    saved = site.call("practice_save", "anna", community="giovani", sheet=SHEET)["practice"]
    ref = saved["practice"]
    assert saved["state"] == "draft"
    assert "<script>" not in saved["sheet"]["problem"]
    assert saved["author"] is True
    pdf = base64.b64encode(b"%PDF-1.4\n" + b"0" * 200).decode()
    with_file = site.call("practice_attach", "anna", practice=ref, filename="a.pdf", data=pdf)
    assert with_file["practice"]["files"][0]["kind"] == "application/pdf"
    refused = site.call("practice_attach", "anna", status=415, practice=ref, filename="x.pdf",
                        data=base64.b64encode(b"\x00\x01\x02binary").decode())  # fmt: skip
    assert refused["error"]["code"] == "file_kind"
    site.call("practice_move", "anna", practice=ref, move="submit")
    no = site.call("practice_move", "anna", status=403, practice=ref, move="publish")
    assert no["error"]["message"] == "Your role in this community does not allow that."
    waiting = site.call("library", "carla", community="giovani")["waiting"]
    assert [w["practice"] for w in waiting] == [ref]
    site.call("practice_score", "carla", practice=ref, scores={"innovation": 5})
    site.call("practice_score", "carla", status=422, practice=ref, scores={"innovation": 7})
    done = site.call("practice_move", "carla", practice=ref, move="publish")["practice"]
    assert done["state"] == "published"
    found = site.call("library", "bruno", community="giovani", q="citta verde")
    assert [p["practice"] for p in found["practices"]] == [ref]
    assert found["role"] == "visitor"
    seen = site.call("practice", "bruno", practice=ref)["practice"]
    assert seen["history"] == []  # a visitor reads the practice, not its review
    assert seen["scores"] == {}
    file_id = seen["files"][0]["file"]
    got = site.call("practice_file", "bruno", practice=ref, file=file_id)
    assert base64.b64decode(got["data"]).startswith(b"%PDF")
    with database.sessions() as db:
        bodies = [json.loads(b) for b in db.scalars(sa.select(OutboxEntry.body))]
    shared = [b for b in bodies if b["type"] == "community.practice_shared"]
    assert [(b["actor"]["id"], b["payload"]["practice"]) for b in shared] == [
        (pseudonym("anna"), ref)
    ]
    assert shared[0]["context"]["platform"] == "openedx"


def test_a_block_s_refusals_keep_nothing_and_say_why(site: Site, database: Database) -> None:
    _member(site, "anna")
    _member(site, "olga", "ambiente")
    _coordinate(database, "olga", "ambiente")
    bad = site.call("practice_save", "anna", status=422, community="giovani",
                    sheet=SHEET | {"links": [{"url": "javascript:alert(1)"}]})  # fmt: skip
    assert "Links, row 1" in bad["error"]["message"]
    site.call("practice_save", "bruno", status=403, community="giovani", sheet=SHEET)
    ref = site.call("practice_save", "anna", community="giovani", sheet=SHEET)["practice"]
    site.call("practice_move", "anna", practice=ref["practice"], move="submit")
    # A coordinator of another community is nobody here.
    for name, body in (
        ("practice_move", {"move": "publish"}),
        ("practice_move", {"move": "withdraw"}),
        ("practice_score", {"scores": {"innovation": 3}}),
    ):
        site.call(name, "olga", status=403, practice=ref["practice"], **body)
    site.call("practice", "olga", status=404, practice=ref["practice"])
    with database.sessions() as db:
        assert db.scalar(sa.select(Practice.state)) == "submitted"
        assert db.scalar(sa.select(sa.func.count()).select_from(Practice)) == 1


@pytest.mark.parametrize("name", sorted(library_api.BODIES))
def test_every_generated_library_call_is_answered_as_documented(
    app: Any, database: Database, name: str
) -> None:
    with database.transaction() as db:
        token = services.REGISTRY.add(db, f"openedx-lib-{name}").token
        communities.add(db, parse({"slug": "giovani", "name": "Giovani"}))
    every_generated_call_is_documented(app, token, f"/api/v1/blocks/communities/{name}")
