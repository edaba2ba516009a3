"""The communities block in xblock-sdk's runtime, against a live OPES tool."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import Flask

from opes_lti.communities import services as communities
from opes_lti.communities.models import CommunityMember
from opes_lti.communities.spec import parse
from opes_lti.core.db import Database
from opes_xblocks import compat
from tests.xblocks.conftest import block_from, call
from tests.xblocks.test_groupwork_block import live_tool

XML = "<opes_community/>"


def _html(block: Any) -> str:
    from django.utils import translation

    with translation.override("it"):
        return str(block.runtime.render(block, "student_view").body_html())


def _act(runtime: Any, block: Any, handler: str, body: dict[str, Any]) -> str:
    from django.utils import translation

    with translation.override("it"):
        status, answer = call(runtime, block, handler, body)
    assert status == 200, answer
    return str(answer["html"])


def _seed(database: Database) -> None:
    with database.transaction() as db:
        giovani = {
            "slug": "giovani",
            "name": "Giovani e partecipazione",
            "description": "<p>Per <b>tutti</b><script>x()</script></p>",
            "space_url": "https://forum.example.org/c/giovani",
        }
        communities.add(db, parse(giovani))
        communities.add(db, parse({"slug": "ambiente", "name": "Ambiente"}))


def test_learners_join_see_each_other_as_agreed_and_leave(
    make_runtime: Callable[..., Any], app: Flask, database: Database
) -> None:
    _seed(database)
    anna_runtime, bruno_runtime = make_runtime("anna"), make_runtime("bruno")
    usage = block_from(anna_runtime, XML).scope_ids.usage_id
    anna, bruno = anna_runtime.get_block(usage), bruno_runtime.get_block(usage)
    with live_tool(app, database):
        listed = _html(anna)
        assert "Giovani e partecipazione" in listed
        assert "0 membri" in listed
        page = _act(anna_runtime, anna, "open_community", {"community": "giovani"})
        assert "<b>tutti</b>" in page
        assert "<script>" not in page
        assert 'href="https://forum.example.org/c/giovani" rel="noopener noreferrer"' in page
        said = {"organisation": "ETS Anna & Co", "region": "16", "show_organisation": "yes"}
        joined = _act(anna_runtime, anna, "join", {"community": "giovani"} | said)
        assert "Benvenuto nella comunità." in joined
        assert "Tu · ETS Anna &amp; Co" in joined
        seen = _act(bruno_runtime, bruno, "open_community", {"community": "giovani"})
        assert "<li>Membro 1 · ETS Anna &amp; Co</li>" in seen  # not her region: not agreed
        refused = _act(bruno_runtime, bruno, "join", {"community": "giovani", "region": "99"})
        assert 'class="cdp-error"' in refused
        missing = _act(bruno_runtime, bruno, "open_community", {"community": "nes\x00suna"})
        assert 'class="cdp-error"' in missing
        left = _act(anna_runtime, anna, "leave", {"community": "giovani"})
        assert "Hai lasciato la comunità." in left
    with database.sessions() as db:
        rows = db.scalars(sa.select(CommunityMember)).all()
        assert [(r.user, r.left_at is not None) for r in rows] == [
            (compat.viewer_pseudonym(anna), True)]  # fmt: skip


def test_the_designers_community_and_studios_check(
    make_runtime: Callable[..., Any], app: Flask, database: Database
) -> None:
    _seed(database)
    runtime = make_runtime("docente", staff=True)
    block = block_from(runtime, '<opes_community community="ambiente"/>')
    with live_tool(app, database):
        page = _html(block)
        assert "<h2>Ambiente</h2>" in page
        assert "Tutte le comunità" not in page  # the designer placed this one
    status, answer = call(runtime, block, "submit_studio_edits",
                          {"values": {"community": "Giovani!"}, "defaults": []})  # fmt: skip
    assert status == 400
    assert "community" in str(answer)
    assert block.community == "ambiente"


def test_without_the_tool_the_block_says_what_to_set_up(make_runtime: Callable[..., Any]) -> None:
    assert "TOOL_URL" in _html(block_from(make_runtime(), XML))
