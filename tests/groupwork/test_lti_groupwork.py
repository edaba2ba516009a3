"""A whole group exercise launched from Open edX's platform code: four learners in two
groups and their instructor; the platform receives a score for every member."""

from __future__ import annotations

import csv
import io
import re
import uuid
from typing import Any

import requests
import sqlalchemy as sa

from opes_lti.events.models import OutboxEntry
from opes_lti.groupwork.models import Exercise, Group, Membership
from opes_lti.lti.grades import GradeSender
from opes_lti.lti.launch import pseudonym
from tests.lti.conftest import Tool
from tests.support.platform import OpenEdxPlatform

LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
LEARNERS = ["anna", "bruno", "carla", "dario"]
COURSE = "course-v1:OPES+PS+2026"


def _hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert match, page[-2000:]
    return match.group(1)


class Person:
    """Someone with the page token of their last launch."""

    def __init__(self, tool: Tool, platform: OpenEdxPlatform, user: str, role: str,
                 link: str, custom: dict[str, str]) -> None:  # fmt: skip
        self.tool, self.platform, self.user, self.role = tool, platform, user, role
        self.link, self.custom = link, custom
        self.page = self.launch()

    def launch(self) -> str:
        result = self.platform.launch(
            role=self.role,
            user_id=self.user,
            custom=self.custom,
            resource_link_id=self.link,
            locale="en",
        )
        assert result.response.status_code == 200, result.response.text[-1500:]
        self.token = _hidden(result.response.text, "token")
        return result.response.text

    def post(self, path: str, status: int = 200, files: Any = None, **data: Any) -> str:
        answer = requests.post(
            self.tool.url + "/groupwork" + path,
            data={"token": self.token, **data},
            files=files,
            timeout=20,
        )
        assert answer.status_code == status, (path, answer.status_code, answer.text[-1500:])
        self.page = answer.text
        return answer.text


def _custom() -> dict[str, str]:
    return {
        "activity": "groupwork",
        "formation": "random",
        "deliverable": "text",
        "scheme": "webpa",
        "exercise_config": str(uuid.uuid4()),
    }


SETTINGS = {
    "title": "Progettare per un bando",
    "instructions": "<p>Scrivete il progetto.</p><script>alert(1)</script>",
    "least": "2",
    "most": "2",
    "formation": "random",
    "deliverable": "text",
    "late": "marked",
    "rubric": "Bisogno | vago = 0 | chiaro = 5 | argomentato = 10",
    "peer_review": "on",
    "gives": "1",
    "needs": "1",
    "scheme": "webpa",
    "weight": "0.5",
    "penalty": "0",
    "scale": "100",
}


def _groups(tool: Tool) -> dict[str, int]:
    """Each learner's group id, from the database."""
    with tool.database.sessions() as db:
        rows = db.execute(
            sa.select(Membership.user, Membership.group_id).where(Membership.left_at.is_(None))
        ).all()
    return dict(rows)


def test_a_whole_exercise_from_launch_to_a_score_for_every_member(
    tool: Tool, platform: OpenEdxPlatform
) -> None:
    platform.enable_ags()
    platform.enable_nrps(
        [
            {"user_id": u, "roles": [LEARNER], "status": "Active", "name": u.title()}
            for u in LEARNERS
        ]
    )
    custom, link = _custom(), "block-v1:OPES+PS+2026+type@lti+block@gw"
    teacher = Person(tool, platform, "prof", "instructor", link, custom)
    assert "4 learners on the course roster" in teacher.page
    teacher.post("/staff/settings")
    page = teacher.post("/staff/settings/save", **SETTINGS)
    assert "Settings saved" in page
    page = teacher.post("/staff/form")
    assert "Groups formed for 4 learners" in page

    people = {u: Person(tool, platform, u, "student", link, custom) for u in LEARNERS}
    issuer = platform.url
    ids = {u: pseudonym(issuer, u) for u in LEARNERS}
    where = _groups(tool)
    by_group: dict[int, list[str]] = {}
    for u in LEARNERS:
        by_group.setdefault(where[ids[u]], []).append(u)
    assert sorted(len(v) for v in by_group.values()) == [2, 2]
    (g1, (a, b)), (g2, (c, d)) = sorted(by_group.items())
    assert "Scrivete il progetto" in people[a].page
    assert "<script>alert(1)" not in people[a].page

    # Two members write at once: the second is shown both texts, and merges.
    people[a].post("/draft", based_on="0", text="Bisogno: giovani NEET.")
    page = people[b].post("/draft", 409, based_on="0", text="Obiettivo: 20 tirocini.")
    assert "Bisogno: giovani NEET." in page
    assert "Obiettivo: 20 tirocini." in page
    people[b].post("/draft", based_on="1", text="Bisogno: giovani NEET.\nObiettivo: 20 tirocini.")
    # A confirmation of an older version is refused: someone changed it meanwhile.
    people[a].post("/confirm")
    people[a].post("/submit", 409, confirmed="1", seen="yes")
    page = people[a].post("/submit", confirmed="2", seen="yes")
    assert "Handed in" in page
    people[b].post("/draft", 409, based_on="2", text="too late")

    people[c].post("/draft", based_on="0", text="Un progetto per anziani soli.")
    people[d].post("/submit", confirmed="1", seen="yes")

    # Reviews: each group reviews the other's work by the rubric.
    page = teacher.post("/staff/reviews/start")
    assert "2 reviews assigned" in page
    # The rubric may still change once reviews are out, and the instructor is told what
    # that means; saving it unchanged says nothing.
    assert "rubric changed" not in teacher.post("/staff/settings/save", **SETTINGS)
    wider = SETTINGS | {"rubric": SETTINGS["rubric"] + " | eccellente = 20"}
    assert "The rubric changed after the reviews began" in teacher.post(
        "/staff/settings/save", **wider
    )
    teacher.post("/staff/settings/save", **SETTINGS)
    for reviewer in (a, c):
        page = people[reviewer].post("/back")
        assignment = _hidden(page, "assignment")
        people[reviewer].post("/review", assignment=assignment, **{"level-c1": "2"})
        people[reviewer].post("/review", 409, assignment=assignment, **{"level-c1": "0"})

    # Peer assessment inside each group: a and c rate, b and d do not.
    with tool.database.sessions() as db:
        rows = db.execute(
            sa.select(Membership.id, Membership.user, Membership.group_id).where(
                Membership.left_at.is_(None)
            )
        ).all()
    for rater in (a, c):
        group = where[ids[rater]]
        marks = {f"mark-{row.id}": "3" for row in rows if row.group_id == group}
        people[rater].post("/rate", **marks)

    for group in (g1, g2):
        page = teacher.post("/staff/group", group=str(group))
        assert "WebPA factor" in page
        page = teacher.post("/staff/publish", group=str(group))
        assert "2 grades published" in page

    report = GradeSender(tool.database.sessions).drain()
    assert (report.sent, report.failed) == (4, 0)
    assert sorted(s["userId"] for s in platform.scores) == sorted(LEARNERS)
    assert all(s["scoreMaximum"] == 100 for s in platform.scores)
    assert [i["resourceId"] for i in platform.lineitems] == ["groupwork"]

    page = people[a].post("/back")
    assert "Your grade" in page
    with tool.database.sessions() as db:
        types = db.scalars(sa.select(OutboxEntry.event_type)).all()
    assert types.count("group_exercise.submitted") == 2
    assert types.count("group_exercise.reviewed") == 2
    assert types.count("group_exercise.graded") == 4


def test_every_route_checks_who_is_asking(tool: Tool, platform: OpenEdxPlatform) -> None:
    platform.enable_nrps(
        [{"user_id": u, "roles": [LEARNER], "status": "Active", "name": u} for u in LEARNERS]
    )
    custom, link = _custom(), "block-gw-access"
    teacher = Person(tool, platform, "prof", "instructor", link, custom)
    teacher.post("/staff/settings/save", **(SETTINGS | {"deliverable": "file", "peer_review": ""}))
    teacher.post("/staff/form")
    people = {u: Person(tool, platform, u, "student", link, custom) for u in LEARNERS}
    where = _groups(tool)
    ids = {u: pseudonym(platform.url, u) for u in LEARNERS}
    mine, *others = sorted(LEARNERS, key=lambda u: where[ids[u]])
    other = next(u for u in others if where[ids[u]] != where[ids[mine]])
    pdf = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
    people[mine].post("/files", files={"file": ("piano.pdf", pdf, "application/pdf")})
    with tool.database.sessions() as db:
        file_id = db.execute(sa.text("SELECT id FROM group_files")).scalar_one()
        exercise_id = db.scalar(sa.select(Exercise.id).where(Exercise.placement_id == link))
        theirs = where[ids[mine]]

    # A learner of another group: neither the file nor the group's versions.
    people[other].post("/file", 403, file=str(file_id))
    people[other].post("/version", 403, group=str(theirs), number="1")
    # A learner doing an instructor's work.
    for path, data in [
        ("/staff/form", {}),
        ("/staff/move", {"user": ids[mine], "to": "none"}),
        ("/staff/group", {"group": str(theirs)}),
        ("/staff/publish", {"group": str(theirs)}),
        ("/staff/settings/save", SETTINGS),
    ]:
        people[mine].post(path, 403, **data)
    # The group's own member reads it back, with safe headers.
    answer = requests.post(
        tool.url + "/groupwork/file",
        data={"token": people[mine].token, "file": file_id},
        timeout=10,
    )
    assert answer.content == pdf
    assert answer.headers["Content-Disposition"].startswith("attachment")
    assert "sandbox" in answer.headers["Content-Security-Policy"]

    # A learner and an instructor of another course reach nothing of this one.
    elsewhere = {**custom, "exercise_config": str(uuid.uuid4())}
    stranger = Person(tool, platform, "eve", "student", "block-other-course", elsewhere)
    stranger.post("/file", 404, file=str(file_id))
    stranger.post("/past", 404, group=str(theirs))
    colleague = Person(tool, platform, "prof2", "instructor", "block-other-course", elsewhere)
    colleague.post("/staff/group", 404, group=str(theirs))
    colleague.post("/staff/publish", 404, group=str(theirs))
    with tool.database.sessions() as db:
        assert db.scalar(sa.select(Group.exercise_id).where(Group.id == theirs)) == exercise_id
        assert (
            db.scalar(
                sa.select(sa.func.count())
                .select_from(Membership)
                .where(Membership.left_at.is_not(None))
            )
            == 0
        )


def test_a_file_disguised_by_its_name_is_refused_and_nothing_kept(
    tool: Tool, platform: OpenEdxPlatform
) -> None:
    platform.enable_nrps(
        [{"user_id": u, "roles": [LEARNER], "status": "Active"} for u in LEARNERS[:2]]
    )
    custom, link = _custom(), "block-gw-files"
    teacher = Person(tool, platform, "prof", "instructor", link, custom)
    teacher.post("/staff/settings/save", **(SETTINGS | {"deliverable": "file"}))
    teacher.post("/staff/form")
    learner = Person(tool, platform, LEARNERS[0], "student", link, custom)
    program = b"\x7fELF\x02\x01\x01" + bytes(200)
    page = learner.post(
        "/files", 415, files={"file": ("relazione.pdf", program, "application/pdf")}
    )
    assert "not accepted" in page
    with tool.database.sessions() as db:
        assert db.execute(sa.text("SELECT count(*) FROM group_files")).scalar_one() == 0
    # A page named as a PDF is kept as what it is, text, and never served as a page.
    html = b"<html><script>x()</script>"
    learner.post("/files", files={"file": ("r.pdf", html, "application/pdf")})
    with tool.database.sessions() as db:
        kept = db.execute(sa.text("SELECT content_type FROM group_files")).scalar_one()
    assert kept == "text/plain"


def test_placed_by_deep_linking_with_a_key_of_its_own_and_copied_with_the_course(
    tool: Tool, platform: OpenEdxPlatform
) -> None:
    platform.enable_deep_linking()
    browser = requests.Session()
    picker = platform.launch(browser, message_type="LtiDeepLinkingRequest", role="instructor")
    assert picker.response.status_code == 200
    keys = []
    for _ in range(2):  # two placements, two keys
        picker = platform.launch(browser, message_type="LtiDeepLinkingRequest", role="instructor")
        answer = browser.post(
            tool.url + "/lti/deep-link",
            timeout=10,
            data={
                "token": _hidden(picker.response.text, "token"),
                "activity": "groupwork",
                "title-groupwork": "Progetto per il bando",
                "opt-groupwork-formation": "mix_regions",
                "opt-groupwork-deliverable": "link",
                "opt-groupwork-scheme": "individual",
            },
        )
        assert answer.status_code == 200, answer.text[-800:]
        (item,) = platform.consumer.check_and_decode_deep_linking_token(_hidden(answer.text, "JWT"))
        keys.append(item["custom"].pop("exercise_config"))
        assert item["custom"] == {
            "activity": "groupwork",
            "formation": "mix_regions",
            "deliverable": "link",
            "scheme": "individual",
        }
    assert len(set(keys)) == 2
    assert all(uuid.UUID(k) for k in keys)

    # The designer's settings, then the course copied: a new link with the same key.
    custom = {**item["custom"], "exercise_config": keys[1]}
    teacher = Person(tool, platform, "prof", "instructor", "block-original", custom)
    teacher.post("/staff/settings/save", **(SETTINGS | {"most": "4", "deliverable": "link"}))
    copy = Person(tool, platform, "prof", "instructor", "block-copied", custom)
    page = copy.post("/staff/settings")
    assert 'id="gw-most" name="most" min="1" max="50" required value="4"' in page
    assert "Progettare per un bando" in page
    with tool.database.sessions() as db:
        rows = db.execute(sa.select(Exercise.placement_id, Exercise.config_key)).all()
    assert sorted(rows) == [("block-copied", keys[1]), ("block-original", keys[1])]


def test_the_roster_sheet_runs_no_formula_and_imports_back_as_it_was(
    tool: Tool, platform: OpenEdxPlatform
) -> None:
    hostile = ['=HYPERLINK("http://x.example")', "+1+1", "@SUM(A1)", "Maria Rossi"]
    platform.enable_nrps(
        [
            {"user_id": f"u{i}", "roles": [LEARNER], "status": "Active", "name": name}
            for i, name in enumerate(hostile)
        ]
    )
    custom, link = _custom(), "block-gw-sheet"
    teacher = Person(tool, platform, "prof", "instructor", link, custom)
    teacher.post("/staff/settings/save", **(SETTINGS | {"formation": "instructor"}))
    sheet = teacher.post("/staff/roster.csv")
    rows = list(csv.reader(io.StringIO(sheet.lstrip("\ufeff")), delimiter=";"))[1:]
    assert sorted(r[0] for r in rows) == sorted(["'" + n if n[0] in "=+@" else n for n in hostile])
    # The sheet filled in and sent back: every learner placed as written.
    out = io.StringIO()
    csv.writer(out, delimiter=";").writerows([["persona", "gruppo"], *[[r[0], "A"] for r in rows]])
    filled = out.getvalue()
    page = teacher.post(
        "/staff/import", files={"file": ("gruppi.csv", filled.encode(), "text/csv")}
    )
    assert "Groups imported." in page
    assert len(_groups(tool)) == len(hostile)
