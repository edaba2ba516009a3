"""Meetings, partnerships and interventions through the tool's API for blocks."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from opes_lti.cdp import meeting_api, record_api
from opes_lti.communities import meeting
from opes_lti.communities import services as communities
from opes_lti.communities.models import AttendanceChange, CommunityMember, Registered
from opes_lti.communities.spec import parse
from opes_lti.core.db import Database, utcnow
from opes_lti.events.models import OutboxEntry
from opes_lti.sites import services
from tests.cdp.test_block_api import Site, pseudonym
from tests.cdp.test_library_api import _coordinate, _member
from tests.support.blockcalls import every_generated_call_is_documented


@pytest.fixture
def site(client: FlaskClient, database: Database) -> Site:
    with database.transaction() as db:
        token = services.REGISTRY.add(db, "openedx-meetings").token
        communities.add(db, parse({"slug": "giovani", "name": "Giovani"}))
        communities.add(db, parse({"slug": "ambiente", "name": "Ambiente"}))
    return Site(client, token)


@pytest.fixture
def people(site: Site, database: Database) -> Site:
    """Anna a member and Carla the coordinator of giovani, Olga of ambiente; joined a day ago."""
    for user in ("anna", "carla"):
        _member(site, user)
    _member(site, "olga", "ambiente")
    _coordinate(database, "carla")
    _coordinate(database, "olga", "ambiente")
    with database.transaction() as db:
        for row in db.scalars(sa.select(CommunityMember)):
            row.joined_at = utcnow() - timedelta(days=1)
    return site


def _told(database: Database) -> list[dict[str, Any]]:
    with database.sessions() as db:
        bodies = db.scalars(sa.select(OutboxEntry.body).order_by(OutboxEntry.seq))
        return [e for e in map(json.loads, bodies) if e["type"] != "community.joined"]


def _schedule(minutes_ago: int) -> dict[str, Any]:
    starts = meeting.local(utcnow() - timedelta(minutes=minutes_ago))
    return {"starts_at": starts.isoformat(), "minutes": 90, "mode": "online",
            "link": "https://meet.example/stanza"}  # fmt: skip


def test_a_block_schedules_a_meeting_members_check_in_and_the_register_is_kept(
    people: Site, database: Database
) -> None:
    site = people
    site.call("meeting_save", "anna", status=403, community="giovani", schedule=_schedule(5))
    bad = site.call("meeting_save", "carla", status=422, community="giovani",
                    schedule=_schedule(5) | {"link": "", "minutes": 5})  # fmt: skip
    assert "Link to the video room" in bad["error"]["message"]
    assert "Length in minutes" in bad["error"]["message"]
    saved = site.call("meeting_save", "carla", community="giovani", schedule=_schedule(5))
    ref = saved["meeting"]["meeting"]
    assert saved["meeting"]["register"][0]["status"] == "absent"  # started: expected
    listed = site.call("meetings", "anna", community="giovani")
    assert listed["plan"]["online"] == {"held": 0, "planned": 5}
    assert [m["meeting"] for m in listed["meetings"]] == [ref]
    assert "register" not in site.call("meeting", "anna", meeting=ref)["meeting"]
    # Olga coordinates another community: she is nobody here.
    site.call("meeting_code", "olga", status=403, meeting=ref, do="open")
    site.call("meeting", "olga", meeting=ref)  # anyone reads a meeting
    code = site.call("meeting_code", "carla", meeting=ref, do="open")["meeting"]["code"]
    assert len(code) == meeting.CODE_LENGTH
    site.call("checkin", "anna", status=403, community="ambiente", code=code)  # not hers
    wrong = "ZZZZZZ" if code != "ZZZZZZ" else "YYYYYY"
    site.call("checkin", "anna", status=422, community="giovani", code=wrong)
    site.call("checkin", "anna", community="giovani", code=code.lower())
    [told] = _told(database)
    assert told["type"] == "community.meeting_attended"
    assert told["actor"]["id"] == pseudonym("anna")
    register = site.call("meeting", "carla", meeting=ref)["meeting"]["register"]
    by_user = {line["user"]: line for line in register}
    assert by_user[pseudonym("anna")]["status"] == "present"
    anna = str(by_user[pseudonym("anna")]["member"])
    # A bad row refuses the whole register; then a correction withdraws the attendance.
    site.call("meeting_attendance", "carla", status=422, meeting=ref,
              marks={anna: {"status": "absent", "minutes": 30}})  # fmt: skip
    site.call("meeting_attendance", "carla", status=404, meeting=ref,
              marks={"999999": {"status": "present"}})  # fmt: skip
    site.call("meeting_attendance", "carla", meeting=ref, marks={anna: {"status": "excused"}})
    assert [e["type"] for e in _told(database)][-1] == "community.record_withdrawn"
    with database.sessions() as db:
        assert db.scalar(sa.select(sa.func.count()).select_from(AttendanceChange)) == 2
    lines = site.call("register", "carla", community="giovani")["register"]
    assert {(line["user"], line["status"]) for line in lines} >= {(pseudonym("anna"), "excused")}
    site.call("register", "anna", status=403, community="giovani")
    site.call("meeting_cancel", "carla", status=409, meeting=ref)  # attendance recorded


def test_a_block_records_a_partnership_a_coordinator_confirms_and_withdraws(
    people: Site, database: Database
) -> None:
    site = people
    sheet = {
        "title": "Sportello giovani", "act": "co_design", "since": "2027-02-01",
        "organisations": ["APS Roma"],
        "public_bodies": [{"kind": "municipality", "name": "Comune di Roma"}],
        "description": "<p>ok</p><script>x()</script>",
    }  # fmt: skip
    bad = site.call("record_save", "anna", status=422, community="giovani",
                    kind="partnership", sheet=sheet | {"public_bodies": []})  # fmt: skip
    assert "Public bodies" in bad["error"]["message"]
    site.call("record_save", "bruno", status=403, community="giovani", kind="partnership",
              sheet=sheet)  # fmt: skip
    saved = site.call("record_save", "anna", community="giovani", kind="partnership",
                      sheet=sheet)["record"]  # fmt: skip
    ref = saved["record"]
    assert "<script" not in saved["sheet"]["description"]
    assert saved["state"] == "submitted"
    site.call("record", "bruno", status=404, record=ref)
    site.call("record_move", "olga", status=403, record=ref, move="confirm")
    waiting = site.call("records", "carla", community="giovani", kind="partnership")["waiting"]
    assert [w["record"] for w in waiting] == [ref]
    done = site.call("record_move", "carla", record=ref, move="confirm")["record"]
    assert done["state"] == "confirmed"
    assert [e["type"] for e in _told(database)] == ["community.partnership_recorded"]
    seen = site.call("records", "bruno", community="giovani", kind="partnership")
    assert [r["record"] for r in seen["records"]] == [ref]
    assert seen["role"] == "visitor"
    site.call("record_progress", "carla", status=409, record=ref, stage="running")
    site.call("record_move", "carla", record=ref, move="withdraw", comment="doppione")
    assert [e["type"] for e in _told(database)][-1] == "community.record_withdrawn"
    history = site.call("record", "anna", record=ref)["record"]["history"]
    assert [h["move"] for h in history] == ["record", "confirm", "withdraw"]
    with database.sessions() as db:
        assert db.scalar(sa.select(Registered.state)) == "withdrawn"


def test_a_block_moves_an_intervention_on_and_it_is_told_once_per_stage(
    people: Site, database: Database
) -> None:
    site = people
    sheet = {"title": "Doposcuola", "regions": ["12"], "status": "planned"}
    ref = site.call("record_save", "anna", community="giovani", kind="intervention",
                    sheet=sheet)["record"]["record"]  # fmt: skip
    site.call("record_move", "carla", record=ref, move="confirm")
    assert _told(database) == []
    on = (meeting.local(utcnow()).date() - timedelta(days=20)).isoformat()
    site.call("record_progress", "anna", status=403, record=ref, stage="running", on=on)
    running = site.call("record_progress", "carla", record=ref, stage="running", on=on)
    assert running["stage"] == "running"
    site.call("record_progress", "carla", status=409, record=ref, stage="planned")
    site.call("record_progress", "carla", record=ref, stage="completed")
    told = [(e["type"], e["payload"].get("status")) for e in _told(database)]
    assert told == [("community.intervention_recorded", "started"),
                    ("community.record_withdrawn", None),
                    ("community.intervention_recorded", "completed")]  # fmt: skip


@pytest.mark.parametrize("name", sorted(meeting_api.BODIES) + sorted(record_api.BODIES))
def test_every_generated_meeting_and_record_call_is_answered_as_documented(
    app: Any, database: Database, name: str
) -> None:
    with database.transaction() as db:
        token = services.REGISTRY.add(db, f"openedx-mt-{name}").token
        communities.add(db, parse({"slug": "giovani", "name": "Giovani"}))
    every_generated_call_is_documented(app, token, f"/api/v1/blocks/communities/{name}")
