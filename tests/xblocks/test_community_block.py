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


def _screen(runtime: Any, block: Any, call_name: str, **body: Any) -> dict[str, Any]:
    from django.utils import translation

    with translation.override("it"):
        status, answer = call(runtime, block, "act", {"call": call_name} | body)
    assert status == 200, answer
    return dict(answer)


def _shown(runtime: Any, block: Any, call_name: str, **body: Any) -> str:
    answer = _screen(runtime, block, call_name, **body)
    assert answer["success"] is True, answer
    return str(answer["html"])


def _ref(html: str, name: str) -> str:
    import re

    return re.findall(rf'name="{name}" value="([0-9a-f]{{32}})"', html)[0]


def test_the_block_s_screens_share_schedule_check_in_record_and_confirm(
    make_runtime: Callable[..., Any], app: Flask, database: Database
) -> None:
    """The library, meetings and records through the block, as the LTI pages do them."""
    import re
    from datetime import timedelta

    from opes_lti.communities import meeting
    from opes_lti.communities.models import Registered
    from opes_lti.core.db import utcnow

    _seed(database)
    anna_runtime, carla_runtime = make_runtime("anna"), make_runtime("carla")
    usage = block_from(anna_runtime, XML).scope_ids.usage_id
    anna, carla = anna_runtime.get_block(usage), carla_runtime.get_block(usage)
    with live_tool(app, database):
        for runtime, block in ((anna_runtime, anna), (carla_runtime, carla)):
            _act(runtime, block, "join", {"community": "giovani"})
        with database.transaction() as db:
            found = communities.membership(db, communities.find(db, "giovani"),
                                           compat.viewer_pseudonym(carla))  # fmt: skip
            assert found is not None
            found.role = "coordinator"
        page = _act(anna_runtime, anna, "open_community", {"community": "giovani"})
        assert 'data-call="library"' in page
        assert "Partenariati" in page

        # A practice: refused without a title (the form stays), saved, sent, published.
        refused = _screen(anna_runtime, anna, "practice_save", community="giovani", title="")
        assert refused["success"] is False
        assert "Titolo" in refused["error"]
        form = {"community": "giovani", "title": "Orti <b>urbani</b>", "problem": "Poco verde",
                "audience": "Famiglie", "actions": "Orti", "results": "Venti famiglie"}  # fmt: skip
        saved = _shown(anna_runtime, anna, "practice_save", **form)
        assert "Orti &lt;b&gt;urbani&lt;/b&gt;" in saved
        practice = _ref(saved, "practice")
        _shown(anna_runtime, anna, "practice_move", practice=practice, move="submit")
        no = _screen(anna_runtime, anna, "practice_move", practice=practice, move="publish")
        assert no["error"] == "Il tuo ruolo in questa comunità non lo consente."
        waiting = _shown(carla_runtime, carla, "library", community="giovani")
        assert "In attesa della tua revisione" in waiting
        _shown(carla_runtime, carla, "practice_move", practice=practice, move="publish")
        found = _shown(anna_runtime, anna, "library", community="giovani", q="famiglie")
        assert "Orti &lt;b&gt;urbani&lt;/b&gt;" in found

        # A meeting that began five minutes ago, its code, Anna's check-in.
        starts = meeting.local(utcnow() - timedelta(minutes=5))
        schedule = {"community": "giovani", "day": starts.date().isoformat(),
                    "time": starts.strftime("%H:%M"), "minutes": "90", "mode": "online",
                    "link": "https://meet.example.org/g"}  # fmt: skip
        assert _screen(anna_runtime, anna, "meeting_save", **schedule)["success"] is False
        held = _shown(carla_runtime, carla, "meeting_save", **schedule)
        ref = _ref(held, "meeting")
        opened = _shown(carla_runtime, carla, "meeting_code", meeting=ref, do="open")
        code = re.findall(r'class="cdp-code">([A-Z0-9]{6})<', opened)[0]
        wrong = _screen(anna_runtime, anna, "checkin", community="giovani", code="AAAAAA")
        assert wrong["success"] is False or code == "AAAAAA"
        checked = _shown(anna_runtime, anna, "checkin", community="giovani", code=code)
        assert "La tua presenza è registrata." in checked
        register = _shown(carla_runtime, carla, "meeting", meeting=ref)
        assert re.search(r'value="present" selected', register)

        # A partnership with a public body and an intervention in two regions.
        pact = {"community": "giovani", "kind": "partnership", "title": "Sportello",
                "act": "co_design", "since": "2027-01-15", "organisations": "APS Roma"}  # fmt: skip
        refused = _screen(anna_runtime, anna, "record_save", **pact)
        assert refused["success"] is False
        assert "Enti pubblici" in refused["error"]
        pact |= {"public_bodies-0-name": "Comune di Roma", "public_bodies-0-kind": "municipality"}
        partnership = _ref(_shown(anna_runtime, anna, "record_save", **pact), "record")
        work = {"community": "giovani", "kind": "intervention", "title": "Laboratori",
                "status": "running", "started_on": "2026-11-02",
                "regions": ["12", "16"]}  # fmt: skip
        intervention = _ref(_shown(anna_runtime, anna, "record_save", **work), "record")
        listed = _shown(carla_runtime, carla, "records", community="giovani", kind="partnership")
        assert "In attesa della tua conferma" in listed
        for ref in (partnership, intervention):
            _shown(carla_runtime, carla, "record_move", record=ref, move="confirm")
        seen = _shown(anna_runtime, anna, "records", community="giovani", kind="intervention")
        assert "in corso · Lazio, Puglia" in seen
        seen = _shown(anna_runtime, anna, "records", community="giovani", kind="partnership")
        assert "Comune di Roma, APS Roma" in seen
        form = _shown(anna_runtime, anna, "record_new", community="giovani", kind="intervention")
        assert 'name="regions"' in form
    with database.sessions() as db:
        assert sorted(db.scalars(sa.select(Registered.state))) == ["confirmed", "confirmed"]
