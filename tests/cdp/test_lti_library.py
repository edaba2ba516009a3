"""The practice library launched from Open edX's platform code: share, review, find."""

from __future__ import annotations

import json
import re

import requests
import sqlalchemy as sa

from opes_lti.communities import services as communities
from opes_lti.communities.models import Practice, PracticeChange
from opes_lti.communities.spec import parse
from opes_lti.events.models import OutboxEntry
from tests.cdp.test_lti_community import Member
from tests.lti.conftest import Tool
from tests.support.platform import OpenEdxPlatform

SHEET = {
    "community": "giovani",
    "title": "Doposcuola <script>alert(1)</script> in rete",
    "problem": "Dispersione scolastica nelle periferie della città.\n\nSeconda <b>riga</b>",
    "audience": "Ragazze e ragazzi",
    "actions": "Attività pomeridiane",
    "results": "Meno abbandoni",
    "region": "16",
    "province": "ba",
    "themes": "Scuola, giovani",
    "evidence-0-indicator": "abbandoni",
    "evidence-0-value": "-30%",
    "partners-0-name": "Comune di Bari",
    "partners-0-public_body": "municipality",
    "links-0-url": "https://example.org/scheda",
}


class Launched(Member):
    """A member with a role the platform sends (``global_staff``: a national coordinator)."""

    def __init__(self, tool: Tool, platform: OpenEdxPlatform, user: str, role: str) -> None:
        self.tool = tool
        result = platform.launch(role=role, user_id=user, custom={"activity": "community"},
                                 resource_link_id="cdp-link", locale="en")  # fmt: skip
        assert result.response.status_code == 200, result.response.text[-1500:]
        self.page = result.response.text
        self.token = re.findall(r'name="token" value="([^"]*)"', self.page)[0]


def _ref(page: str) -> str:
    return re.findall(r'name="practice" value="([0-9a-f]{32})"', page)[0]


def _outbox(tool: Tool) -> list[str]:
    with tool.database.sessions() as db:
        return [json.loads(b)["type"] for b in db.scalars(sa.select(OutboxEntry.body))]


def test_a_practice_is_shared_reviewed_published_found_and_withdrawn(
    tool: Tool, platform: OpenEdxPlatform
) -> None:
    with tool.database.transaction() as db:
        communities.add(db, parse({"slug": "giovani", "name": "Giovani"}))
        communities.add(db, parse({"slug": "ambiente", "name": "Ambiente"}))
    anna = Launched(tool, platform, "anna", "student")
    carla = Launched(tool, platform, "carla", "student")
    nora = Launched(tool, platform, "nora", "global_staff")
    for who in (anna, carla):
        who.post("/join", community="giovani")
    # A visitor (not a member) cannot open the sheet.
    bruno = Launched(tool, platform, "bruno", "student")
    assert "does not allow" in bruno.post("/practice/new", 403, community="giovani")
    # Only a national coordinator appoints.
    assert "does not allow" in carla.post("/appoint", 403, community="giovani", member="2")
    appointed = nora.post("/appoint", community="giovani", member="2", **{"as": "coordinator"})
    assert "Member 2 · <strong>coordinator</strong>" in appointed

    # A sheet with problems comes back with the typed values and nothing is saved.
    bad = anna.post("/practice/save", 422, **SHEET | {"links-0-url": "javascript:alert(1)"})
    assert "Links, row 1: check this field." in bad
    assert 'aria-invalid="true"' in bad
    assert "Comune di Bari" in bad
    with tool.database.sessions() as db:
        assert db.scalar(sa.select(sa.func.count()).select_from(Practice)) == 0

    saved = anna.post("/practice/save", **SHEET)
    assert "Your practice is saved as a draft." in saved
    assert "<script>alert" not in saved
    assert "Doposcuola &lt;script&gt;alert(1)&lt;/script&gt; in rete" in saved
    assert "Seconda &lt;b&gt;riga&lt;/b&gt;" in saved  # typed text is shown as typed
    assert "(BA)" in saved
    assert "public body" in saved
    ref = _ref(saved)
    # Carla, the coordinator, sees the draft; Bruno, who is no member, does not.
    assert "does not exist, or is not yours" in bruno.post("/practice", 404, practice=ref,
                                                          community="giovani")  # fmt: skip
    carla.post("/practice", practice=ref, community="giovani")
    assert "Publish" not in carla.page  # a draft is not yet for review

    anna.post("/practice/move", practice=ref, move="submit", community="giovani")
    refused = anna.post("/practice/move", 403, practice=ref, move="publish", community="giovani")
    assert "does not allow" in refused
    returned = carla.post("/practice/move", practice=ref, move="return",
                          comment="Aggiungi le fonti", community="giovani")  # fmt: skip
    assert "Returned to its author" in returned
    again = anna.post("/practice", practice=ref, community="giovani")
    assert "Aggiungi le fonti" in again
    edit = anna.post("/practice/edit", practice=ref, community="giovani")
    assert "Dispersione scolastica nelle periferie della città." in edit
    anna.post("/practice/save", **SHEET | {"practice": ref, "evidence-0-source": "scuola"})
    anna.post("/practice/move", practice=ref, move="submit", community="giovani")
    carla.post("/practice/score", practice=ref, innovation="4", community="giovani")
    assert "Your scores are saved." in carla.page
    carla.post("/practice/score", 422, practice=ref, innovation="9", community="giovani")
    published = carla.post("/practice/move", practice=ref, move="publish", community="giovani")
    assert "Published" in published
    assert _outbox(tool).count("community.practice_shared") == 1

    # Anyone who opens the library finds it, by a word without its accent.
    found = bruno.post("/library", community="giovani", q="citta periferia")
    assert "1 practice found" in found, re.findall(r"<h2[^>]*>[^<]*", found)
    assert "Doposcuola" in found
    none = bruno.post("/library", community="giovani", q="anziani")
    assert "No published practice matches" in none
    assert "1 practice published" in bruno.post("/open", community="giovani")

    withdrawn = carla.post("/practice/move", practice=ref, move="withdraw", community="giovani")
    assert "Withdrawn" in withdrawn
    assert _outbox(tool)[-1] == "community.record_withdrawn"
    assert "0 practices found" in bruno.post("/library", community="giovani")
    with tool.database.sessions() as db:
        moves = db.scalars(sa.select(PracticeChange.move).order_by(PracticeChange.id)).all()
    assert moves == ["write", "submit", "return", "edit", "submit", "publish", "withdraw"]


def test_library_forms_refuse_what_is_not_theirs_with_a_page_never_a_500(
    tool: Tool, platform: OpenEdxPlatform
) -> None:
    with tool.database.transaction() as db:
        communities.add(db, parse({"slug": "giovani", "name": "Giovani"}))
    anna = Launched(tool, platform, "anna", "student")
    anna.post("/join", community="giovani")
    for path, data, status in (
        ("/practice", {"practice": "0" * 32}, 404),
        ("/practice", {"practice": "'; DROP TABLE practices; --"}, 404),
        ("/practice/move", {"practice": "0" * 32, "move": "publish"}, 404),
        ("/practice/move", {"practice": "0" * 32, "move": "explode"}, 409),
        ("/practice/file", {"practice": "0" * 32, "file": "1"}, 404),
        ("/library", {"community": "nessuna"}, 404),
        ("/appoint", {"community": "giovani", "member": "1", "as": "coordinator"}, 403),
    ):
        page = anna.post(path, status, **{"community": "giovani"} | data)
        assert "<html" in page.lower()
    expired = requests.post(tool.url + "/community/library", data={"token": "forged"}, timeout=20)
    assert expired.status_code == 403
