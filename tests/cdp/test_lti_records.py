"""Partnerships and interventions launched from Open edX's platform code."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opes_lti.communities.models import Registered, RegisteredChange
from opes_lti.events.models import OutboxEntry
from tests.cdp.test_lti_library import Launched
from tests.cdp.test_lti_meetings import _people
from tests.lti.conftest import Tool
from tests.support.platform import OpenEdxPlatform

PARTNERSHIP = {
    "community": "giovani", "kind": "partnership", "title": "Sportello <b>giovani</b>",
    "act": "co_design", "act_reference": "Delibera 12/2027", "since": "2027-02-01",
    "organisations": "APS Roma", "public_bodies-0-name": "Comune di Roma",
    "public_bodies-0-kind": "municipality", "public_bodies-0-role": "capofila",
    "region": "12", "provinces": "rm, lt", "description": "Uno sportello\n\n<script>x()</script>",
}  # fmt: skip
INTERVENTION = {
    "community": "giovani", "kind": "intervention", "title": "Doposcuola",
    "status": "running", "started_on": "2026-10-01", "regions": ["12", "16"],
    "partners-0-name": "ASL Roma 1", "partners-0-public_body": "health_authority",
    "audience": "Ragazzi dagli 11 ai 14 anni",
}  # fmt: skip


def _outbox(tool: Tool) -> list[dict[str, Any]]:
    with tool.database.sessions() as db:
        bodies = db.scalars(sa.select(OutboxEntry.body).order_by(OutboxEntry.seq))
        return [e for e in map(json.loads, bodies) if e["type"] != "community.joined"]


def send(who: Launched, path: str, data: dict[str, Any], expect: int = 200) -> str:
    """``who`` posts ``data`` (which may hold a ``status`` field, unlike ``post``'s)."""
    answer = requests.post(who.tool.url + "/community" + path, timeout=20,
                           data={"token": who.token} | data)  # fmt: skip
    assert answer.status_code == expect, (path, answer.status_code, answer.text[-1500:])
    who.page = answer.text
    return answer.text


def _record(page: str) -> str:
    return re.findall(r'name="record" value="([0-9a-f]{32})"', page)[0]


def _count(tool: Tool, model: Any) -> int:
    with tool.database.sessions() as db:
        return db.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def test_a_partnership_and_an_intervention_are_recorded_confirmed_and_shown(
    tool: Tool, platform: OpenEdxPlatform
) -> None:
    anna, carla, _ = _people(tool, platform)
    bruno = Launched(tool, platform, "bruno", "student")  # not a member
    assert "does not allow" in bruno.post("/record/new", 403, community="giovani",
                                          kind="partnership")  # fmt: skip
    assert "does not allow" in bruno.post("/record/save", 403, **PARTNERSHIP)

    # Problems come back beside the fields with what was typed; nothing is saved.
    bad = anna.post("/record/save", 422, **PARTNERSHIP | {"public_bodies-0-name": "",
                    "public_bodies-0-kind": "", "public_bodies-0-role": "",
                    "since": "2027-02-30"})  # fmt: skip
    assert "Public bodies: check this field." in bad
    assert "Since: check this field." in bad
    assert 'value="Delibera 12/2027"' in bad
    assert _count(tool, Registered) == 0

    saved = anna.post("/record/save", **PARTNERSHIP)
    assert "the community&#39;s coordinator will confirm it" in saved
    assert "Sportello &lt;b&gt;giovani&lt;/b&gt;" in saved
    assert "<script>x()" not in saved
    assert "RM, LT" in saved
    partnership = _record(saved)
    # Not confirmed: counted nowhere, shown to nobody else.
    assert _outbox(tool) == []
    assert "No partnership is confirmed yet." in bruno.post("/open", community="giovani")
    assert "does not exist" in bruno.post("/record", 404, community="giovani", record=partnership)
    waiting = carla.post("/records", community="giovani", kind="partnership")
    assert "Partnerships waiting for your confirmation" in waiting
    assert "does not allow" in anna.post("/record/move", 403, community="giovani",
                                         record=partnership, move="confirm")  # fmt: skip
    confirmed = carla.post("/record/move", community="giovani", record=partnership,
                           move="confirm")  # fmt: skip
    assert "it now counts" in confirmed
    [told] = _outbox(tool)
    assert told["type"] == "community.partnership_recorded"
    assert told["payload"]["partner_kind"] == "public_administration"
    assert told["payload"]["instrument"] == "co_design"
    assert told["payload"]["partner"] == "Comune di Roma, APS Roma"

    # An intervention linked to a meeting of the community, running from October.
    meeting = re.findall(r'name="meeting" value="([0-9a-f]{32})"',
                         carla.post("/meeting/save", **_meeting_form()))[0]  # fmt: skip
    form = INTERVENTION | {"meetings": [meeting]}
    saved = send(anna, "/record/save", form)
    intervention = _record(saved)
    assert "Meeting 1" in saved
    assert "Lazio, Puglia" in saved
    carla.post("/record/move", community="giovani", record=intervention, move="confirm")
    assert [e["type"] for e in _outbox(tool)][-1] == "community.intervention_recorded"
    done = send(carla, "/record/progress", {"community": "giovani", "record": intervention,
                                            "status": "completed", "on": "2026-11-30"})  # fmt: skip
    assert "The intervention&#39;s stage is saved." in done
    assert "until 30/11/2026" in done
    types = [e["type"] for e in _outbox(tool)]
    assert types[-2:] == ["community.record_withdrawn", "community.intervention_recorded"]
    assert _outbox(tool)[-1]["payload"]["status"] == "completed"

    # The community page shows both to anyone who opens it.
    page = bruno.post("/open", community="giovani")
    assert "1 partnership confirmed, 1 with a public body:" in page
    assert "Comune di Roma, APS Roma" in page
    assert "1 intervention confirmed, 1 started:" in page
    assert "Doposcuola" in page

    # Withdrawn by the coordinator: kept, out of the counts, told once.
    carla.post("/record/move", community="giovani", record=partnership, move="withdraw",
               comment="doppione")  # fmt: skip
    assert "Withdrawn: it is kept" in carla.page
    assert "No partnership is confirmed yet." in bruno.post("/open", community="giovani")
    assert [e["type"] for e in _outbox(tool)][-1] == "community.record_withdrawn"
    assert _count(tool, Registered) == 2
    history = carla.post("/record", community="giovani", record=partnership)
    assert "History (3 steps)" in history
    assert "doppione" in history


def _meeting_form() -> dict[str, str]:
    from tests.cdp.test_lti_meetings import _form

    return _form(60 * 24 * 3)


def test_a_returned_record_is_changed_by_its_author_only(
    tool: Tool, platform: OpenEdxPlatform
) -> None:
    anna, carla, _ = _people(tool, platform)
    ref = _record(send(anna, "/record/save", INTERVENTION))
    assert "required" in carla.post("/record/move", 422, community="giovani", record=ref,
                                    move="return", comment=" ")  # fmt: skip
    carla.post("/record/move", community="giovani", record=ref, move="return",
               comment="Manca <i>il</i> partner")  # fmt: skip
    page = anna.post("/record", community="giovani", record=ref)
    assert "Manca &lt;i&gt;il&lt;/i&gt; partner" in page
    assert "does not allow" in carla.post("/record/edit", 403, community="giovani", record=ref)
    form = anna.post("/record/edit", community="giovani", record=ref)
    assert 'value="ASL Roma 1"' in form
    assert re.search(r'value="16" checked', form)
    changed = send(anna, "/record/save", INTERVENTION | {"record": ref, "title": "Doposcuola 2"})
    assert "waiting for confirmation" in changed
    with tool.database.sessions() as db:
        assert db.scalar(sa.select(Registered.title)) == "Doposcuola 2"


def test_record_forms_refuse_with_a_page_never_a_500(tool: Tool, platform: OpenEdxPlatform) -> None:
    anna, carla, nora = _people(tool, platform)
    ref = _record(anna.post("/record/save", **PARTNERSHIP))
    for who, path, data, status in (
        (anna, "/record", {"record": "0" * 32}, 404),
        (anna, "/record", {"record": "'; DROP TABLE community_records; --"}, 404),
        (anna, "/records", {"kind": "treaty"}, 404),
        (anna, "/record/move", {"record": ref, "move": "confirm"}, 403),
        (carla, "/record/move", {"record": ref, "move": "publish"}, 409),
        (carla, "/record/progress", {"record": ref, "status": "running"}, 409),
        (carla, "/record/progress", {"record": ref, "status": "running", "on": "ieri"}, 422),
        (anna, "/record/save", {"kind": "intervention", "regions": ["99"], "title": "x"}, 422),
        (anna, "/record/save", {"kind": "intervention", "practices": ["x" * 32],
                                "regions": ["12"], "title": "x"}, 422),
        (anna, "/record/save", {"kind": "intervention", "meetings": ["0" * 32],
                                "regions": ["12"], "title": "x"}, 404),
        (nora, "/records", {"community": "nessuna", "kind": "partnership"}, 404),
    ):  # fmt: skip
        page = send(who, path, {"community": "giovani"} | data, status)
        assert "<html" in page.lower()
    assert _count(tool, Registered) == 1


@pytest.fixture
def record_people(tool: Tool, platform: OpenEdxPlatform) -> Iterator[tuple[Tool, Launched, str]]:
    """A coordinator, and a partnership a member recorded for them to confirm."""
    anna, carla, _ = _people(tool, platform)
    return tool, carla, _record(anna.post("/record/save", **PARTNERSHIP))


_text = st.text(st.characters(codec="utf-8"), max_size=30)
_FIELDS = ["kind", "title", "act", "act_reference", "since", "organisations", "region",
           "provinces", "description", "status", "started_on", "ended_on", "regions",
           "practices", "meetings", "audience", "public_bodies-0-name", "public_bodies-0-kind",
           "partners-0-name", "partners-0-public_body", "record", "move", "comment", "on",
           "community"]  # fmt: skip


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    path=st.sampled_from(["/record/save", "/record/move", "/record/progress", "/record/edit",
                          "/record", "/records", "/record/new"]),
    form=st.dictionaries(st.sampled_from(_FIELDS), _text),
    real=st.booleans(),
)  # fmt: skip
def test_any_record_form_gets_a_page_never_a_500(
    record_people: tuple[Tool, Launched, str], path: str, form: dict[str, str], real: bool
) -> None:
    tool, carla, ref = record_people
    before = (_count(tool, RegisteredChange), len(_outbox(tool)))
    data = {"token": carla.token, "community": "giovani"} | ({"record": ref} if real else {})
    answer = requests.post(tool.url + "/community" + path, timeout=20, data=data | form)
    assert answer.status_code < 500, answer.text[-800:]
    if answer.status_code >= 400:
        assert (_count(tool, RegisteredChange), len(_outbox(tool))) == before
