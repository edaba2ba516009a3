"""Group work through the tool's API for blocks: the XBlock face's system of record."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from opes_lti.core.db import Database
from opes_lti.events.models import OutboxEntry
from opes_lti.groups import filekinds
from opes_lti.groupwork import block_api
from opes_lti.groupwork.models import DraftVersion, Exercise, Membership, Submission, Visitor
from opes_lti.sites import services
from tests.support.blockcalls import every_generated_call_is_documented

COURSE = "course-v1:OPES+PS+2026"
PLACEMENT = "block-v1:OPES+PS+2026+type@opes_groupwork+block@progetto"
SETTINGS = {"title": "Progetto per un bando", "least": 2, "most": 2, "formation": "random"}
LEARNERS = ["anna", "bruno", "carla", "dario"]


def pseudonym(user: str) -> str:
    return hashlib.sha256(f"openedx\x1f{user}".encode()).hexdigest()


class Site:
    """A site's calls, acting for one person at a time."""

    def __init__(self, client: FlaskClient, token: str) -> None:
        self.client, self.token = client, token

    def call(
        self,
        name: str,
        user: str,
        /,
        status: int | None = 200,
        role: str = "learner",
        course: str = COURSE,
        **body: Any,
    ) -> Any:
        sent = {"placement": PLACEMENT, "settings": SETTINGS} | body
        answer = self.client.post(
            f"/api/v1/blocks/groupwork/{name}",
            json=sent,
            headers={
                "Authorization": f"Bearer {self.token}",
                services.ACTOR: pseudonym(user),
                services.ROLE: role,
                services.COURSE: course,
                "Accept-Language": "en",
            },
        )
        if status is not None:
            assert answer.status_code == status, answer.get_data(as_text=True)[:800]
        else:
            assert 400 <= answer.status_code < 500, answer.get_data(as_text=True)[:800]
        return answer.get_json()


def _site(database: Database, client: FlaskClient, name: str = "openedx-puglia") -> Site:
    with database.transaction() as db:
        return Site(client, services.REGISTRY.add(db, name).token)


def _counts(database: Database) -> dict[str, int]:
    tables = (Exercise, Visitor, Membership, DraftVersion, Submission, OutboxEntry)
    with database.sessions() as db:
        return {
            t.__tablename__: db.scalar(sa.select(sa.func.count()).select_from(t)) or 0
            for t in tables
        }


def test_a_whole_exercise_through_the_block_api(client: FlaskClient, database: Database) -> None:
    site = _site(database, client)
    for user in LEARNERS:
        page = site.call("page", user, profile={"organisation": f"ets-{user}", "region": "16"})
        assert page["formed"] is False
        assert page["group"] is None
        assert page["exercise"]["title"] == "Progetto per un bando"
    refused = site.call("form", "anna", status=403)
    assert refused["error"]["code"] == "not_instructor"
    staff = site.call("page", "docente", role="staff")
    assert staff["staff"]["visitors"] == 4  # staff are not on the roster
    formed = site.call("form", "docente", role="staff")
    assert [g["members"] for g in formed["staff"]["groups"]] == [2, 2]
    site.call("form", "docente", status=409, role="staff")  # once

    groups = {u: site.call("page", u)["group"] for u in LEARNERS}
    mine = groups["anna"]
    partner = next(u for u in LEARNERS if u != "anna" and groups[u]["id"] == mine["id"])
    other = next(u for u in LEARNERS if groups[u]["id"] != mine["id"])
    assert sum(m["you"] for m in mine["members"]) == 1
    assert {m["organisation"] for m in mine["members"]} == {"ets-anna", f"ets-{partner}"}

    saved = site.call("draft", "anna", based_on=0, text="Obiettivi del progetto")
    assert saved["saved"] == {"number": 1, "changed": True}
    conflict = site.call("draft", partner, status=409, based_on=0, text="Il nostro budget")
    assert conflict["theirs"] == {"number": 1, "text": "Obiettivi del progetto"}
    assert conflict["mine"] == "Il nostro budget"
    merged = site.call("draft", partner, based_on=1, text="Obiettivi\nIl nostro budget")
    assert merged["group"]["latest"]["number"] == 2
    assert site.call("page", other)["group"]["latest"] is None  # another group's draft: unseen

    site.call("submit", "anna", status=409, confirmed=1)  # a version since: confirm again
    handed = site.call("submit", "anna", confirmed=2)
    assert handed["group"]["submission"]["version"] == 2
    site.call("draft", partner, status=409, based_on=2, text="dopo la consegna")

    site.call("grade", "anna", status=403, group=mine["id"], score=80)
    site.call("grade", "docente", role="staff", group=mine["id"], score=80)
    published = site.call("publish", "docente", role="staff", group=mine["id"])
    assert published["published"] == 2
    assert site.call("page", partner)["grade"] == {"final": 80.0, "scale": 100.0}
    assert site.call("page", other)["grade"] is None
    with database.sessions() as db:
        types = sorted(db.scalars(sa.select(OutboxEntry.event_type)))
    assert types.count("group_exercise.graded") == 2
    assert "group_exercise.submitted" in types


def test_sites_and_courses_do_not_reach_each_other(client: FlaskClient, database: Database) -> None:
    puglia, lazio = _site(database, client), _site(database, client, "openedx-lazio")
    puglia.call("page", "anna")
    assert puglia.call("page", "docente", role="staff")["staff"]["visitors"] == 1
    # The same block id on another site is another exercise, with nobody in it yet.
    assert lazio.call("page", "docente", role="staff")["staff"]["visitors"] == 0
    # Another course of the same site cannot open this block's exercise.
    refused = puglia.call("page", "docente", status=403, role="staff", course="course-v1:X+Y+Z")
    assert refused["error"]["code"] == "not_member"


def test_only_staff_change_the_stored_settings(client: FlaskClient, database: Database) -> None:
    site = _site(database, client)
    site.call("page", "anna")
    changed = SETTINGS | {"title": "Titolo cambiato"}
    assert site.call("page", "anna", settings=changed)["exercise"]["title"] == SETTINGS["title"]
    staff = site.call("page", "docente", role="staff", settings=changed)
    assert staff["exercise"]["title"] == "Titolo cambiato"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"placement": ""}, "bad_request"),
        ({"placement": "x\ny"}, "bad_request"),
        ({"settings": {"title": ""}}, "bad_settings"),
        ({"settings": {"title": "t", "least": 9, "most": 2}}, "bad_settings"),
        ({"profile": {"region": "99"}}, "bad_profile"),
        ({"unknown": 1}, "bad_request"),
    ],
)
def test_bad_bodies_are_refused_with_what_to_fix_and_store_nothing(
    client: FlaskClient, database: Database, body: dict[str, Any], code: str
) -> None:
    site = _site(database, client)
    before = _counts(database)
    refused = site.call("page", "anna", status=400, **body)
    assert refused["error"]["code"] == code
    assert refused["error"]["message"]
    assert _counts(database) == before


def test_without_a_site_token_nothing_is_answered(client: FlaskClient) -> None:
    answer = client.post("/api/v1/blocks/groupwork/page", json={})
    assert answer.status_code == 401
    assert answer.get_json()["error"]["code"] == "unauthorized"


@pytest.mark.parametrize("name", sorted(block_api.BODIES))
def test_every_generated_call_is_answered_as_documented(
    app: Any, database: Database, name: str
) -> None:
    with database.transaction() as db:
        token = services.REGISTRY.add(db, f"openedx-{name}").token
    every_generated_call_is_documented(app, token, f"/api/v1/blocks/groupwork/{name}")


def test_the_platforms_teams_are_the_groups(client: FlaskClient, database: Database) -> None:
    site = _site(database, client)
    red, blue = {"id": "t-red", "name": "Squadra rossa"}, {"id": "t-blue", "name": "Blu"}
    anna = site.call("page", "anna", team=red)["group"]
    assert anna["name"] == "Squadra rossa"
    assert site.call("page", "bruno", team=red)["group"]["id"] == anna["id"]
    carla = site.call("page", "carla", team=blue)["group"]
    assert carla["id"] != anna["id"]
    # Bruno moved team on the platform: he follows it; the red group keeps its history.
    moved = site.call("page", "bruno", team=blue)["group"]
    assert moved["id"] == carla["id"]
    assert [m["you"] for m in site.call("page", "anna", team=red)["group"]["members"]] == [True]
    with database.sessions() as db:
        ended = db.scalars(sa.select(Membership).where(Membership.left_at.is_not(None))).all()
    assert [m.reason for m in ended] == ["moved to another team on the platform"]
    staff = site.call("page", "docente", role="staff")
    assert staff["formed"] is True
    assert sorted(g["members"] for g in staff["staff"]["groups"]) == [1, 2]
    # After a hand-in the group is kept whatever the platform says.
    site.call("draft", "anna", based_on=0, text="Lavoro")
    site.call("submit", "anna", confirmed=1)
    assert site.call("page", "anna", team=blue)["group"]["id"] == anna["id"]


def _formed(site: Site, settings: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Four learners in two pairs; each learner's group as they see it."""
    for user in LEARNERS:
        site.call("page", user, settings=settings, profile={"organisation": f"ets-{user}"})
    site.call("form", "docente", role="staff", settings=settings)
    return {u: site.call("page", u, settings=settings)["group"] for u in LEARNERS}


def _numbers(group: dict[str, Any]) -> tuple[str, str]:
    """(the viewer's member number, the other member's), as the block shows them."""
    you = next(m["number"] for m in group["members"] if m["you"])
    other = next(m["number"] for m in group["members"] if not m["you"])
    return str(you), str(other)


def test_peer_marks_adjust_each_members_grade_and_stay_private(
    client: FlaskClient, database: Database
) -> None:
    webpa = SETTINGS | {"grading": {"scheme": "webpa", "weight": 1.0, "penalty": 0.0}}
    site = _site(database, client)
    groups = _formed(site, webpa)
    mine = groups["anna"]
    partner = next(u for u in LEARNERS if u != "anna" and groups[u]["id"] == mine["id"])
    me, them = _numbers(mine)
    site.call("rate", "anna", settings=webpa, marks={me: 3, them: 3})
    p_me, p_them = _numbers(groups[partner])
    rated = site.call("rate", partner, settings=webpa, marks={p_them: 4, p_me: 2})
    assert rated["rated"] is True
    # Each sees only their own marks.
    assert site.call("page", "anna", settings=webpa)["group"]["my_marks"] == {me: 3, them: 3}
    assert rated["group"]["my_marks"] == {p_them: 4, p_me: 2}
    # Marks for someone not in the group, or off the scale, are refused.
    site.call("rate", "anna", status=400, settings=webpa, marks={me: 3, "9": 3})
    site.call("rate", "anna", status=400, settings=webpa, marks={me: 6, them: 3})
    site.call("rate", "anna", status=400, settings=webpa, marks={me: 3})  # everyone, once

    site.call("draft", "anna", settings=webpa, based_on=0, text="Il progetto")
    site.call("submit", "anna", settings=webpa, confirmed=1)
    site.call("grade", "docente", role="staff", settings=webpa, group=mine["id"], score=60)
    opened = site.call("group", "docente", role="staff", settings=webpa, group=mine["id"])
    by_user = {g["user"]: g for g in opened["detail"]["grades"]}
    # WebPA by hand: anna's marks split 1/2, 1/2; her partner's 2/3 to anna, 1/3 to self;
    # factor = sum over raters x members / raters; weight 1, so grade = factor x 60.
    anna_factor, partner_factor = 1 / 2 + 2 / 3, 1 / 2 + 1 / 3
    assert by_user[pseudonym("anna")]["factor"] == pytest.approx(anna_factor)
    assert by_user[pseudonym("anna")]["final"] == pytest.approx(60 * anna_factor)
    assert by_user[pseudonym(partner)]["final"] == pytest.approx(60 * partner_factor)
    site.call("group", "anna", status=403, settings=webpa, group=mine["id"])

    # An override needs its reason, replaces the scheme's grade and can be taken back.
    who = pseudonym(partner)
    body = {"settings": webpa, "group": mine["id"], "user": who, "kind": "override"}
    site.call("member", "docente", status=400, role="staff", grade=70, **body)
    site.call("member", "anna", status=403, grade=100, reason="io", **body)
    site.call("member", "docente", status=404, role="staff", **body | {"user": "x" * 64},
              grade=70, reason="r")  # fmt: skip
    saved = site.call("member", "docente", role="staff", grade=70, reason="assente", **body)
    row = next(g for g in saved["detail"]["grades"] if g["user"] == who)
    assert (row["override"], row["reason"], row["final"]) == (70.0, "assente", 70.0)
    site.call("publish", "docente", role="staff", settings=webpa, group=mine["id"])
    assert site.call("page", partner, settings=webpa)["grade"]["final"] == 70.0
    closed = site.call("rate", "anna", status=409, settings=webpa, marks={me: 5, them: 0})
    assert closed["error"]["code"] == "marks_closed"
    taken_back = site.call("member", "docente", role="staff", reason="errore", **body)
    row = next(g for g in taken_back["detail"]["grades"] if g["user"] == who)
    assert row["final"] == pytest.approx(60 * partner_factor)


def test_the_instructor_grades_each_member_in_the_individual_scheme(
    client: FlaskClient, database: Database
) -> None:
    own = SETTINGS | {"grading": {"scheme": "individual"}}
    site = _site(database, client)
    groups = _formed(site, own)
    mine = groups["anna"]
    site.call("draft", "anna", settings=own, based_on=0, text="Il progetto")
    site.call("submit", "anna", settings=own, confirmed=1)
    body = {"settings": own, "group": mine["id"], "user": pseudonym("anna"), "kind": "individual"}
    site.call("member", "docente", status=400, role="staff", **body)  # no grade
    site.call("member", "docente", status=400, role="staff", grade=101, **body)  # off the scale
    saved = site.call("member", "docente", role="staff", grade=88, **body)
    row = next(g for g in saved["detail"]["grades"] if g["user"] == pseudonym("anna"))
    assert (row["individual"], row["final"]) == (88.0, 88.0)
    # Peer marks belong to the WebPA scheme only.
    me, them = _numbers(mine)
    site.call("rate", "anna", status=400, settings=own, marks={me: 3, them: 3})


def test_a_rubric_grades_the_group_by_its_levels(client: FlaskClient, database: Database) -> None:
    rubric = [
        {"code": "fit", "title": "Aderenza", "levels": [
            {"label": "debole", "points": 0}, {"label": "buona", "points": 6}]},
        {"code": "budget", "title": "Budget", "levels": [
            {"label": "assente", "points": 0}, {"label": "chiaro", "points": 4}]},
    ]  # fmt: skip
    graded = SETTINGS | {"rubric": rubric}
    site = _site(database, client)
    groups = _formed(site, graded)
    mine = groups["anna"]
    page = site.call("page", "docente", role="staff", settings=graded)
    assert [c["code"] for c in page["exercise"]["rubric"]] == ["fit", "budget"]
    site.call("draft", "anna", settings=graded, based_on=0, text="Il progetto")
    site.call("submit", "anna", settings=graded, confirmed=1)
    body = {"settings": graded, "group": mine["id"], "comment": "Buon lavoro"}
    site.call("grade", "docente", status=400, role="staff", levels={"fit": 1}, **body)
    site.call("grade", "docente", status=400, role="staff", levels={"fit": 1, "budget": 5}, **body)
    done = site.call("grade", "docente", role="staff", levels={"fit": 1, "budget": 0}, **body)
    assert done["detail"]["group_grade"] == pytest.approx(6 / 10 * 100)
    assert done["detail"]["submission"]["choices"] == {"fit": 1, "budget": 0}
    assert done["detail"]["submission"]["comment"] == "Buon lavoro"


def test_instructors_move_people_and_the_history_keeps_it(
    client: FlaskClient, database: Database
) -> None:
    site = _site(database, client)
    groups = _formed(site, SETTINGS)
    anna = groups["anna"]
    other = next(g for g in groups.values() if g["id"] != anna["id"])
    site.call("move", "bruno", status=403, user=pseudonym("anna"), to=other["id"])
    site.call("move", "docente", status=404, role="staff", user="nessuno", to=other["id"])
    site.call("move", "docente", status=404, role="staff", user=pseudonym("anna"), to=999)
    moved = site.call("move", "docente", role="staff", user=pseudonym("anna"), to=other["id"],
                      reason="mescolare le regioni")  # fmt: skip
    assert moved["moved"] == other["id"]
    history = moved["detail"]["history"]
    assert pseudonym("anna") in [m["user"] for m in history if m["left"] is None]
    assert site.call("page", "anna")["group"]["id"] == other["id"]
    opened = site.call("group", "docente", role="staff", group=anna["id"])
    (left,) = [m for m in opened["detail"]["history"] if m["user"] == pseudonym("anna")]
    assert left["left"] is not None
    assert left["reason"] == "mescolare le regioni"

    fresh = site.call("move", "docente", role="staff", user=pseudonym("anna"), new_group=True)
    assert len(fresh["staff"]["groups"]) == 3
    out = site.call("move", "docente", role="staff", user=pseudonym("anna"), reason="ritirata")
    assert out["moved"] is None
    assert out["staff"]["unplaced"] == [{"user": pseudonym("anna"), "subject": None}]
    # Taken out is taken out: her next visit does not place her again.
    assert site.call("page", "anna")["group"] is None
    back = site.call("move", "docente", role="staff", user=pseudonym("anna"), to=anna["id"])
    assert back["staff"]["unplaced"] == []
    with database.sessions() as db:
        kept = db.scalar(sa.select(sa.func.count()).select_from(Membership))
    assert kept == 4 + 3  # every placement kept: formation, then moved, new group, back


def test_a_team_is_moved_on_the_platform_not_here(client: FlaskClient, database: Database) -> None:
    site = _site(database, client)
    red = site.call("page", "anna", team={"id": "t-red", "name": "Rossa"})["group"]
    site.call("page", "bruno")
    refused = site.call("move", "docente", status=409, role="staff", user=pseudonym("anna"),
                        new_group=True)  # fmt: skip
    assert refused["error"]["code"] == "team_group"
    assert (
        site.call("page", "anna", team={"id": "t-red", "name": "Rossa"})["group"]["id"] == red["id"]
    )


PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def test_a_group_shares_files_and_hands_one_in(client: FlaskClient, database: Database) -> None:
    by_file = SETTINGS | {"deliverable": "file"}
    site = _site(database, client)
    groups = _formed(site, by_file)
    mine = groups["anna"]
    partner = next(u for u in LEARNERS if u != "anna" and groups[u]["id"] == mine["id"])
    other = next(u for u in LEARNERS if groups[u]["id"] != mine["id"])
    body = {"settings": by_file, "filename": "C:\\tmp\\Progetto.pdf"}
    shared = site.call("upload", "anna", data=_b64(PDF), **body)
    assert shared["uploaded"] == "Progetto.pdf"
    (row,) = shared["group"]["files"]
    assert (row["filename"], row["size"], row["content_type"]) == (
        "Progetto.pdf", len(PDF), "application/pdf")  # fmt: skip
    me, _ = _numbers(mine)
    assert str(row["by"]) == me
    # Its members read it back; another group and another course cannot.
    read = site.call("file", partner, settings=by_file, file=row["id"])
    assert base64.b64decode(read["data"]) == PDF
    assert read["content_type"] == "application/pdf"
    assert site.call("file", other, status=403, settings=by_file, file=row["id"])
    site.call("file", "docente", status=403, role="staff", course="course-v1:X+Y+Z",
              settings=by_file, file=row["id"])  # fmt: skip
    assert (
        base64.b64decode(
            site.call("file", "docente", role="staff", settings=by_file, file=row["id"])["data"]
        )
        == PDF
    )
    site.call("file", "anna", status=404, settings=by_file, file=row["id"] + 100)

    # Refused by content, by size, empty, or not base64: nothing stored.
    before = _counts(database)
    for data, code in (
        (_b64(b"MZ\x90\x00\x03" + b"\x00" * 60), "file_type"),
        (_b64(b""), "empty_file"),
        (_b64(b"x" * (filekinds.MOST_BYTES + 1)), "file_too_large"),
    ):
        refused = site.call("upload", "anna", status=None, data=data, **body)
        assert refused["error"]["code"] == code, code
    assert site.call("upload", "anna", status=400, data="non è base64!", **body)
    assert _counts(database) == before

    second = site.call("upload", partner, data=_b64(b"Budget: 1000 euro\n"), settings=by_file,
                       filename="budget.txt")["group"]["files"]  # fmt: skip
    assert [f["filename"] for f in second] == ["budget.txt", "Progetto.pdf"]
    kept = site.call("withdraw", partner, settings=by_file, file=second[0]["id"])
    assert [f["filename"] for f in kept["group"]["files"]] == ["Progetto.pdf"]
    site.call("withdraw", other, status=403, settings=by_file, file=row["id"])

    site.call("submit", "anna", status=409, settings=by_file, file=second[0]["id"])  # withdrawn
    handed = site.call("submit", "anna", settings=by_file, file=row["id"])
    assert handed["group"]["submission"]["file"]["filename"] == "Progetto.pdf"
    site.call("upload", "anna", status=409, data=_b64(PDF), **body)  # handed in: closed
    opened = site.call("group", "docente", role="staff", settings=by_file, group=mine["id"])
    assert opened["detail"]["submission"]["file"]["id"] == row["id"]


REVIEWED = SETTINGS | {
    "rubric": [
        {"code": "fit", "title": "Aderenza", "levels": [
            {"label": "debole", "points": 0}, {"label": "buona", "points": 10}]},
    ],
    "reviews": {"gives": 1, "needs": 1, "due": "2020-01-01T00:00:00+00:00"},
}  # fmt: skip


def test_groups_review_each_others_work(client: FlaskClient, database: Database) -> None:
    site = _site(database, client)
    groups = _formed(site, REVIEWED)
    mine = groups["anna"]
    other = next(u for u in LEARNERS if groups[u]["id"] != mine["id"])
    s = {"settings": REVIEWED}
    site.call("start_reviews", "docente", status=409, role="staff", **s)  # nobody handed in
    for user, text in (("anna", "Il nostro progetto"), (other, "Il loro progetto")):
        site.call("draft", user, based_on=0, text=text, **s)
        site.call("submit", user, confirmed=1, **s)
    site.call("start_reviews", "anna", status=403, **s)
    drawn = site.call("start_reviews", "docente", role="staff", **s)
    assert drawn["reviews_drawn"] == 2
    assert drawn["staff"]["reviews"]["started"] is True
    assert [w["received"] for w in drawn["staff"]["reviews"]["waiting"]] == [0, 0]
    site.call("start_reviews", "docente", status=409, role="staff", **s)  # once

    (task,) = site.call("page", "anna", **s)["group"]["reviews"]["giving"]
    assert task["work"]["text"] == "Il loro progetto"
    assert task["done"] is False
    body = s | {"assignment": task["id"], "comment": "Chiaro"}
    site.call("review", "anna", status=400, levels={"fit": 7}, **body)  # no such level
    site.call("review", other, status=404, levels={"fit": 1}, **body)  # not their review
    done = site.call("review", "anna", levels={"fit": 1}, **body)
    assert done["reviewed"] is True
    assert done["group"]["reviews"]["giving"][0]["done"] is True
    site.call("review", "anna", status=409, levels={"fit": 0}, **body)  # once
    theirs = site.call("page", other, **s)["group"]["reviews"]["received"]
    assert theirs == [{"score": 10.0, "choices": {"fit": 1}, "comment": "Chiaro"}]
    staff = site.call("page", "docente", role="staff", **s)["staff"]
    graded = {g["id"]: g for g in staff["groups"]}
    assert graded[groups[other]["id"]]["grade"] == pytest.approx(100.0)
    assert graded[mine["id"]]["grade"] is None
    (short,) = staff["reviews"]["waiting"]
    assert short["group"] == mine["id"]
    assert short["owed_by"] == [groups[other]["id"]]
    # The reviewing date is past: the review the idle group owes is taken from it (no
    # other group is left to take it on), so the instructor grades that work.
    assert staff["reviews"]["may_reassign"] is True
    site.call("reassign", "anna", status=403, **s)
    moved = site.call("reassign", "docente", role="staff", **s)
    assert moved["reassigned"] == 1
    (short,) = moved["staff"]["reviews"]["waiting"]
    assert (short["group"], short["owed_by"]) == (mine["id"], [])
    with database.sessions() as db:
        types = list(db.scalars(sa.select(OutboxEntry.event_type)))
    assert types.count("group_exercise.reviewed") == 1


def test_a_group_reads_the_file_it_reviews_and_no_other(
    client: FlaskClient, database: Database
) -> None:
    by_file = REVIEWED | {"deliverable": "file"}
    site = _site(database, client)
    groups = _formed(site, by_file)
    mine = groups["anna"]
    other = next(u for u in LEARNERS if groups[u]["id"] != mine["id"])
    s = {"settings": by_file}
    ids = {}
    for user in ("anna", other):
        up = site.call("upload", user, filename=f"{user}.pdf", data=_b64(PDF), **s)
        ids[user] = up["group"]["files"][0]["id"]
    spare = site.call("upload", other, filename="bozza.txt", data=_b64(b"bozza\n"), **s)
    unsent = next(f["id"] for f in spare["group"]["files"] if f["filename"] == "bozza.txt")
    site.call("file", "anna", status=403, file=ids[other], **s)  # not yet reviewing it
    for user in ("anna", other):
        site.call("submit", user, file=ids[user], **s)
    site.call("start_reviews", "docente", role="staff", **s)
    (task,) = site.call("page", "anna", **s)["group"]["reviews"]["giving"]
    assert task["work"]["file"]["id"] == ids[other]
    assert base64.b64decode(site.call("file", "anna", file=ids[other], **s)["data"]) == PDF
    site.call("file", "anna", status=403, file=unsent, **s)  # what they did not hand in


def test_an_instructors_spreadsheet_places_everyone_or_nothing(
    client: FlaskClient, database: Database
) -> None:
    site = _site(database, client)
    for user in ("anna", "bruno"):
        site.call("page", user, subject=f"anon-{user}", profile={"organisation": f"ets-{user}"})
    found = {
        name: {"user": pseudonym(name), "subject": f"anon-{name}"}
        for name in ("anna", "bruno", "carla", "dario")
    }
    sheet = "persona;gruppo\nanna;Rossi\nbruno;Rossi\ncarla;Verdi\ndario;Verdi\n"
    site.call("import", "anna", status=403, text=sheet, found=found)
    before = _counts(database)
    for wrong, said in (
        (sheet + "ettore;Verdi\n", "line 6"),  # nobody the platform knows
        (sheet + "anna;Verdi\n", "appears twice"),
        ("nome,cognome\nanna,Rossi\n", "first line"),
    ):
        refused = site.call("import", "docente", status=400, role="staff", text=wrong,
                            found=found)  # fmt: skip
        assert refused["error"]["code"] == "bad_import"
        assert said in refused["error"]["message"]
    assert _counts(database) == before  # all or nothing

    done = site.call("import", "docente", role="staff", text=sheet, found=found)
    assert done["imported"] == 2
    assert sorted((g["name"], g["members"]) for g in done["staff"]["groups"]) == [
        ("Rossi", 2), ("Verdi", 2)]  # fmt: skip
    rossi = next(g for g in done["staff"]["groups"] if g["name"] == "Rossi")
    opened = site.call("group", "docente", role="staff", group=rossi["id"])
    assert {(m["user"], m["subject"], m["placed_by"]) for m in opened["detail"]["history"]} == {
        (pseudonym("anna"), "anon-anna", pseudonym("docente")),
        (pseudonym("bruno"), "anon-bruno", pseudonym("docente")),
    }
    # Carla had not opened the block: her first visit finds her in her group.
    assert site.call("page", "carla", subject="anon-carla")["group"]["name"] == "Verdi"
    # An instructor can move her like anyone else.
    site.call("move", "docente", role="staff", user=pseudonym("dario"), to=rossi["id"])


def test_learners_choose_a_group_with_room(client: FlaskClient, database: Database) -> None:
    chosen = SETTINGS | {"formation": "choice", "least": 1, "most": 2}
    site = _site(database, client)
    s = {"settings": chosen}
    for user in ("anna", "bruno", "carla"):
        site.call("page", user, **s)
    site.call("form", "docente", role="staff", **s)
    page = site.call("page", "anna", **s)
    assert page["group"] is None
    first, *_ = page["choosable"]
    assert first["members"] == 0
    joined = site.call("choose", "anna", group=first["id"], **s)
    assert joined["chose"] is True
    assert joined["group"]["id"] == first["id"]
    assert first["id"] not in [g["id"] for g in joined["choosable"]]  # not her own again
    site.call("choose", "bruno", group=first["id"], **s)
    full = site.call("choose", "carla", status=409, group=first["id"], **s)
    assert full["error"]["code"] == "group_full"
    assert first["id"] not in [g["id"] for g in site.call("page", "carla", **s)["choosable"]]
    site.call("choose", "carla", status=404, group=first["id"] + 999, **s)
    site.call("choose", "ettore", status=404, group=first["id"], **s)  # never opened it


def test_versions_with_their_changes_and_past_groups_stay_readable(
    client: FlaskClient, database: Database
) -> None:
    site = _site(database, client)
    groups = _formed(site, SETTINGS)
    mine = groups["anna"]
    other = next(u for u in LEARNERS if groups[u]["id"] != mine["id"])
    site.call("draft", "anna", based_on=0, text="Obiettivi\nBudget")
    saved = site.call("draft", "anna", based_on=1, text="Obiettivi\nBudget rivisto\nTempi")
    assert [v["number"] for v in saved["group"]["versions"]] == [2, 1]
    me, _them = _numbers(mine)
    assert str(saved["group"]["versions"][0]["author"]) == me
    shown = site.call("version", "anna", number=2)["version"]
    assert shown["changes"] == [
        ["same", "Obiettivi"], ["removed", "Budget"], ["added", "Budget rivisto"],
        ["added", "Tempi"]]  # fmt: skip
    assert site.call("version", "anna", number=1)["version"]["changes"] == [
        ["added", "Obiettivi"], ["added", "Budget"]]  # fmt: skip
    site.call("version", "anna", status=400, number=3)  # no such version: reload
    site.call("version", other, status=403, number=1, group=mine["id"])  # another group's
    staff = site.call("version", "docente", role="staff", number=2, group=mine["id"])
    assert staff["version"]["text"] == "Obiettivi\nBudget rivisto\nTempi"

    # Anna moves to the other group: she keeps reading what her old group wrote.
    site.call("move", "docente", role="staff", user=pseudonym("anna"),
              to=groups[other]["id"])  # fmt: skip
    page = site.call("page", "anna")
    assert [g["id"] for g in page["past"]] == [mine["id"]]
    past = site.call("past", "anna", group=mine["id"])["past_group"]
    assert past["latest"]["text"] == "Obiettivi\nBudget rivisto\nTempi"
    assert [m["left"] is not None for m in past["members"] if m["you"]] == [True]
    assert site.call("version", "anna", number=1, group=mine["id"])["version"]["number"] == 1
    site.call("past", other, status=403, group=mine["id"])  # never in it


#: A body each call accepts, so the refusal seen is the caller's, not the body's.
SAMPLES: dict[str, dict[str, Any]] = {
    "page": {},
    "draft": {"based_on": 0, "text": "intruso"},
    "submit": {"confirmed": 1},
    "upload": {"filename": "x.pdf", "data": _b64(PDF)},
    "withdraw": {"file": 1},
    "file": {"file": 1},
    "rate": {"marks": {"1": 3}},
    "review": {"assignment": 1, "levels": {"fit": 1}},
    "choose": {"group": 1},
    "version": {"number": 1, "group": 1},
    "past": {"group": 1},
    "form": {},
    "start_reviews": {},
    "reassign": {},
    "import": {"text": "persona;gruppo\nanna;Rossi\n", "found": {"anna": {"user": "a" * 64}}},
    "group": {"group": 1},
    "grade": {"group": 1, "score": 1},
    "member": {"group": 1, "user": "a" * 64, "kind": "override", "grade": 1, "reason": "r"},
    "move": {"user": "a" * 64, "new_group": True},
    "publish": {"group": 1},
}


def test_every_call_has_a_sample_body() -> None:
    assert set(SAMPLES) == set(block_api.BODIES)


@pytest.mark.parametrize("name", sorted(SAMPLES))
@pytest.mark.parametrize("role", ["learner", "staff"])
def test_no_call_from_another_course_reaches_a_blocks_exercise(
    client: FlaskClient, database: Database, name: str, role: str
) -> None:
    site = _site(database, client)
    _formed(site, SETTINGS)
    site.call("draft", "anna", based_on=0, text="Il nostro progetto")
    before = _counts(database)
    refused = site.call(name, "anna", status=403, role=role, course="course-v1:Altro+X+2026",
                        **SAMPLES[name])  # fmt: skip
    assert refused["error"]["code"] == "not_member"
    assert _counts(database) == before


@pytest.mark.parametrize("name", ["version", "past", "group", "grade", "member", "publish"])
def test_a_learner_never_reads_or_changes_another_groups_work(
    client: FlaskClient, database: Database, name: str
) -> None:
    site = _site(database, client)
    groups = _formed(site, SETTINGS)
    site.call("draft", "anna", based_on=0, text="Il nostro progetto")
    other = next(u for u in LEARNERS if groups[u]["id"] != groups["anna"]["id"])
    before = _counts(database)
    body = SAMPLES[name] | {"group": groups["anna"]["id"]}
    refused = site.call(name, other, status=403, **body)
    assert refused["error"]["code"] in {"not_member", "not_instructor"}
    assert "Il nostro progetto" not in str(refused)
    assert _counts(database) == before


def test_groups_formed_by_community_keep_each_community_together(
    client: FlaskClient, database: Database
) -> None:
    from opes_lti.communities import services as communities
    from opes_lti.communities.spec import parse
    from opes_lti.events.domain import Context
    from opes_lti.learners.profile import Profile

    here = Context(platform="openedx", platform_id="openedx-puglia", course=COURSE)
    belongs = {"anna": "giovani", "carla": "giovani", "bruno": "ambiente", "dario": "ambiente"}
    with database.transaction() as db:
        for slug in ("giovani", "ambiente"):
            communities.add(db, parse({"slug": slug, "name": slug}))
        for user, slug in belongs.items():
            community = communities.find(db, slug)
            communities.join(db, community, pseudonym(user), Profile(), here, "test")
    by_community = SETTINGS | {"formation": "by_community", "least": 2, "most": 3}
    site = _site(database, client)
    groups = _formed(site, by_community)
    together = {u: groups[u]["id"] for u in LEARNERS}
    assert together["anna"] == together["carla"]
    assert together["bruno"] == together["dario"]
    assert together["anna"] != together["bruno"]
    # A late joiner goes to a group of their own community.
    with database.transaction() as db:
        communities.join(db, communities.find(db, "ambiente"), pseudonym("ettore"), Profile(),
                         here, "test")  # fmt: skip
    late = site.call("page", "ettore", settings=by_community)["group"]
    assert late["id"] == together["bruno"]  # room in both groups: his community's
