"""Meetings launched from Open edX's platform code: schedule, check in, register, export."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Iterator
from datetime import timedelta

import pytest
import requests
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opes_lti.communities import meeting
from opes_lti.communities import services as communities
from opes_lti.communities.models import Attendance, AttendanceChange, Meeting
from opes_lti.communities.spec import parse
from opes_lti.core.db import utcnow
from opes_lti.events.models import OutboxEntry
from tests.cdp.test_lti_library import Launched
from tests.lti.conftest import Tool
from tests.support.platform import OpenEdxPlatform


def _outbox(tool: Tool) -> list[str]:
    with tool.database.sessions() as db:
        return [json.loads(b)["type"] for b in db.scalars(sa.select(OutboxEntry.body))]


def _meeting(page: str) -> str:
    return re.findall(r'name="meeting" value="([0-9a-f]{32})"', page)[0]


def _form(minutes_ago: int, **changes: str) -> dict[str, str]:
    at = meeting.local(utcnow() - timedelta(minutes=minutes_ago))
    return {
        "community": "giovani", "day": at.date().isoformat(), "time": at.strftime("%H:%M"),
        "minutes": "90", "mode": "online", "link": "https://meet.example/stanza",
        "agenda": "Presentazioni\n<script>alert(1)</script>",
    } | changes  # fmt: skip


def _people(tool: Tool, platform: OpenEdxPlatform) -> tuple[Launched, Launched, Launched]:
    with tool.database.transaction() as db:
        communities.add(db, parse({"slug": "giovani", "name": "Giovani"}))
        communities.add(db, parse({"slug": "ambiente", "name": "Ambiente"}))
    anna = Launched(tool, platform, "anna", "student")
    carla = Launched(tool, platform, "carla", "student")
    nora = Launched(tool, platform, "nora", "global_staff")
    for who in (anna, carla):
        who.post("/join", community="giovani")
    nora.post("/appoint", community="giovani", member="2", **{"as": "coordinator"})
    with tool.database.transaction() as db:  # they joined a day ago
        for row in db.scalars(sa.select(communities.CommunityMember)):
            row.joined_at = utcnow() - timedelta(days=1)
    return anna, carla, nora


def test_a_meeting_is_scheduled_checked_in_recorded_and_exported(
    tool: Tool, platform: OpenEdxPlatform
) -> None:
    anna, carla, _ = _people(tool, platform)
    assert "does not allow" in anna.post("/meeting/new", 403, community="giovani")
    assert "does not allow" in anna.post("/meeting/save", 403, **_form(5))

    # A form with problems comes back with what was typed, each field named; nothing saved.
    bad = carla.post("/meeting/save", 422, **_form(5, link="", day="2027-02-30", minutes="dieci"))
    for field in ("Date and time", "Length in minutes", "Link to the video room"):
        assert f"{field}: check this field." in bad
    assert 'value="dieci"' in bad
    assert 'aria-invalid="true"' in bad
    with tool.database.sessions() as db:
        assert db.scalar(sa.select(sa.func.count()).select_from(Meeting)) == 0

    saved = carla.post("/meeting/save", **_form(5))
    assert "The meeting is saved." in saved
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in saved
    assert "<script>alert" not in saved
    assert 'rel="noopener noreferrer"' in saved
    ref = _meeting(saved)
    page = anna.post("/open", community="giovani")
    assert "Meetings held: 0 of the 6 planned" in page
    assert "Next meeting:" in page

    opened = carla.post("/meeting/code", meeting=ref, community="giovani", do="open")
    code = re.findall(r'class="cdp-code"[^>]*>([A-Z0-9]{6})<', opened)[0]
    assert "does not allow" in anna.post("/meeting/code", 403, meeting=ref, community="giovani")
    wrong = anna.post(
        "/checkin", 422, community="giovani", code="ZZZZZZ" if code != "ZZZZZZ" else "YYYYYY"
    )
    assert "That code is not open in this community" in wrong
    checked = anna.post("/checkin", community="giovani", code=code.lower())
    assert "You are checked in." in checked
    assert _outbox(tool).count("community.meeting_attended") == 1

    # The coordinator sees Anna present by her code, and corrects the register.
    register = carla.post("/meeting", meeting=ref, community="giovani")
    ids = dict(re.findall(r'<th scope="row">([^<]+)</th>.*?name="status-(\d+)"', register, re.S))
    assert set(ids) == {"Member 1", "You"}
    assert re.search(rf'name="status-{ids["Member 1"]}".*?value="present" selected', register, re.S)
    anna_id = ids["Member 1"]
    refused = carla.post("/meeting/attendance", 422, meeting=ref, community="giovani",
                         **{f"status-{anna_id}": "absent", f"minutes-{anna_id}": "30"})  # fmt: skip
    assert "Check the register" in refused
    carla.post("/meeting/attendance", meeting=ref, community="giovani",
               **{f"status-{ids['Member 1']}": "late", f"minutes-{ids['Member 1']}": "40",
                  f"status-{ids['You']}": "present"})  # fmt: skip
    assert "The attendance is saved." in carla.page
    with tool.database.sessions() as db:
        stored = {(a.status, a.minutes, a.how) for a in db.scalars(sa.select(Attendance))}
        assert stored == {("late", 40, "register"), ("present", 90, "register")}
        assert db.scalar(sa.select(sa.func.count()).select_from(AttendanceChange)) == 3
    # Late still counts as attended: Anna's attendance is not told twice; Carla's is new.
    assert _outbox(tool).count("community.meeting_attended") == 2
    assert "Cancel the meeting" not in carla.page  # attendance recorded: it stays

    asked = {"token": carla.token, "community": "giovani"}
    exported = requests.post(tool.url + "/community/register", data=asked | {"format": "csv"},
                             timeout=20)  # fmt: skip
    assert exported.status_code == 200, exported.text[-500:]
    assert "attachment" in exported.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(exported.text)))
    assert rows[0][:4] == ["meeting", "date", "time", "mode"]
    assert sorted((r[6], r[10], r[11]) for r in rows[1:]) == [("Member 1", "late", "40"),
                                                             ("You", "present", "90")]  # fmt: skip
    assert {r[3] for r in rows[1:]} == {"online"}
    workbook = requests.post(tool.url + "/community/register", data=asked | {"format": "xlsx"},
                             timeout=20)  # fmt: skip
    with zipfile.ZipFile(io.BytesIO(workbook.content)) as book:
        xml = "".join(book.read(n).decode() for n in book.namelist() if n.endswith(".xml"))
    assert all(word in xml for word in ("meeting", "pseudonymous id", "Member 1", "late"))
    refused_export = requests.post(tool.url + "/community/register", timeout=20,
                                   data=asked | {"token": anna.token})  # fmt: skip
    assert refused_export.status_code == 403


def test_meeting_forms_refuse_with_a_page_never_a_500(
    tool: Tool, platform: OpenEdxPlatform
) -> None:
    anna, carla, nora = _people(tool, platform)
    ref = _meeting(carla.post("/meeting/save", **_form(-60 * 24)))
    for who, path, data, status in (
        (anna, "/meeting", {"meeting": "0" * 32}, 404),
        (anna, "/meeting", {"meeting": "'; DROP TABLE meetings; --"}, 404),
        (anna, "/meeting/cancel", {"meeting": ref}, 403),
        (anna, "/meeting/answer", {"meeting": ref, "answer": "forse"}, 409),
        (anna, "/checkin", {"code": "\x00"}, 400),  # refused before any view
        (anna, "/checkin", {"code": "AB-CD"}, 422),
        (carla, "/meeting/code", {"meeting": ref, "do": "open"}, 409),  # a day away
        (carla, "/meeting/attendance", {"meeting": ref, "status-1": "present"}, 409),
        (carla, "/meeting/attendance", {"meeting": "0" * 32}, 404),
        (nora, "/meetings", {"community": "nessuna"}, 404),
    ):
        page = who.post(path, status, **{"community": "giovani"} | data)
        assert "<html" in page.lower()
    assert "Your answer is saved" in anna.post("/meeting/answer", meeting=ref, answer="going")
    assert "1 going, 0 not going" in anna.page
    cancelled = carla.post("/meeting/cancel", meeting=ref)
    assert "The meeting is cancelled." in cancelled
    with tool.database.sessions() as db:
        assert db.scalar(sa.select(sa.func.count()).select_from(Meeting)) == 1  # kept


@pytest.fixture
def meeting_people(tool: Tool, platform: OpenEdxPlatform) -> Iterator[tuple[Tool, Launched]]:
    """A coordinator, and a meeting of their community that started five minutes ago."""
    _, carla, _ = _people(tool, platform)
    carla.post("/meeting/save", **_form(5))
    return tool, carla


_text = st.text(st.characters(codec="utf-8"), max_size=30)


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    path=st.sampled_from(["/meeting/save", "/meeting/attendance", "/checkin", "/meeting/code",
                          "/meeting/answer", "/meeting/cancel", "/register"]),
    form=st.dictionaries(st.sampled_from(["day", "time", "minutes", "mode", "link", "place",
                                          "agenda", "meeting", "code", "status-1", "minutes-1",
                                          "answer", "do", "format", "community"]), _text),
)  # fmt: skip
def test_any_meeting_form_gets_a_page_or_a_file_never_a_500(
    meeting_people: tuple[Tool, Launched], path: str, form: dict[str, str]
) -> None:
    tool, carla = meeting_people
    with tool.database.sessions() as db:
        before = db.scalar(sa.select(sa.func.count()).select_from(AttendanceChange))
    answer = requests.post(tool.url + "/community" + path, timeout=20,
                           data={"token": carla.token, "community": "giovani"} | form)  # fmt: skip
    assert answer.status_code < 500, answer.text[-800:]
    if answer.status_code >= 400:
        with tool.database.sessions() as db:
            assert db.scalar(sa.select(sa.func.count()).select_from(AttendanceChange)) == before
