"""The group exercise XBlock in xblock-sdk's runtime, against a live OPES tool.

Three learners and an instructor share one block: groups form from who opened it, two
members write at once and merge, the group hands in, the instructor grades and
publishes, and each member's block sends the grade to the gradebook once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from lxml import etree

from opes_lti.core.db import Database
from opes_lti.sites import services as sites
from tests.xblocks.conftest import block_from, call

XML = (
    '<opes_groupwork display_name="Progetto per un bando" least="2" most="2" '
    'formation="random" instructions="&lt;p&gt;Scrivete &lt;b&gt;insieme&lt;/b&gt;'
    '&lt;script&gt;alert(1)&lt;/script&gt;&lt;/p&gt;"/>'
)


@contextmanager
def live_tool(app: Flask, database: Database) -> Iterator[None]:
    from django.test import override_settings

    from tests.support.servers import serve_wsgi

    with database.transaction() as db:
        token = sites.REGISTRY.add(db, "openedx-test").token
    with (
        serve_wsgi(app) as url,
        override_settings(XBLOCK_SETTINGS={"OPES": {"TOOL_URL": url, "TOOL_TOKEN": token}}),
    ):
        yield


def _html(block: Any) -> str:
    from django.utils import translation

    with translation.override("it"):
        return _plain_numbers(str(block.runtime.render(block, "student_view").body_html()))


def _plain_numbers(html: str) -> str:
    """``html``, checked: browsers read "3,0" in a number field as nothing."""
    assert not re.search(r'="-?\d+,\d+"', html), html
    return html


def _act(runtime: Any, block: Any, handler: str, body: dict[str, Any]) -> str:
    from django.utils import translation

    with translation.override("it"):
        status, answer = call(runtime, block, handler, body)
    assert status == 200, answer
    return _plain_numbers(str(answer["html"]))


def _number(html: str, name: str) -> int:
    found = re.search(rf'name="{name}" value="(\d+)"', html)
    assert found, html
    return int(found.group(1))


def test_a_whole_exercise_in_the_block(
    make_runtime: Callable[..., Any], app: Flask, database: Database
) -> None:
    staff_runtime = make_runtime("docente", staff=True)
    usage = block_from(staff_runtime, XML).scope_ids.usage_id
    people = {u: make_runtime(u) for u in ("anna", "bruno", "carla", "dario")}
    blocks = {u: r.get_block(usage) for u, r in people.items()}
    for user, block in blocks.items():
        if user != "anna":
            block.profile = {"organisation": f"ets-{user}", "region": "16"}
    staff = staff_runtime.get_block(usage)
    with live_tool(app, database):
        # Anna says where she comes from in the block, as formation will mix by it.
        asked = _html(blocks["anna"])
        assert "Chi sei" in asked
        where = {"organisation": "ets-anna", "region": "16"}
        said = _act(people["anna"], blocks["anna"], "save_profile", where)
        assert "Salvato: i gruppi si formeranno" in said
        refused = call(people["anna"], blocks["anna"], "save_profile", {"region": "99"})
        assert refused[0] == 400
        assert blocks["anna"].profile["organisation"] == "ets-anna"
        for block in blocks.values():
            page = _html(block)
            assert "Progetto per un bando" in page
            assert "I gruppi non sono ancora formati" in page
            assert "<b>insieme</b>" in page
            assert "<script>" not in page
        # A learner's runtime cannot form groups: the tool refuses, and says so.
        refused = _act(people["anna"], blocks["anna"], "form_groups", {})
        assert "Solo i docenti del corso" in refused
        staff_page = _html(staff)
        assert "Studenti che hanno aperto questa esercitazione: 4" in staff_page
        formed = _act(staff_runtime, staff, "form_groups", {})
        assert "2 gruppi formati" in formed

        pages = {u: _html(b) for u, b in blocks.items()}
        assert all("Il tuo gruppo" in p for p in pages.values())
        anna = pages["anna"]
        partner = next(u for u in ("bruno", "carla", "dario") if re.search(rf"\(ets-{u}\)", anna))
        # Two members write from the same version: the second sees both texts.
        first = {"based_on": 0, "text": "Obiettivi"}
        saved = _act(people["anna"], blocks["anna"], "save_draft", first)
        assert "Salvato come versione 1" in saved
        clash = _act(
            people[partner], blocks[partner], "save_draft", {"based_on": 0, "text": "Budget"}
        )
        assert "versione più recente" in clash
        assert 'class="gw-theirs">Obiettivi<' in clash
        assert 'class="gw-mine">Budget<' in clash
        assert _number(clash, "based_on") == 1
        merged = _act(
            people[partner],
            blocks[partner],
            "save_draft",
            {"based_on": 1, "text": "Obiettivi\nBudget"},
        )
        assert "Salvato come versione 2" in merged
        confirmed = {"confirmed": _number(merged, "confirmed")}
        handed = _act(people["anna"], blocks["anna"], "submit_work", confirmed)
        assert "Consegnato il" in handed
        assert "(versione 2)" in handed

        staff_page = _html(staff)
        group, opened = _handed_in(staff_runtime, staff, staff_page)
        assert "Cosa ha consegnato il gruppo" in opened
        assert 'class="gw-text">Obiettivi\nBudget<' in opened
        graded = _act(staff_runtime, staff, "grade_group", {"group": group, "score": 80})
        assert "Il voto del gruppo è salvato" in graded
        published = _act(staff_runtime, staff, "publish_group", {"group": group})
        assert "2 voti pubblicati" in published

        assert "Il tuo voto: 80 su 100" in _html(blocks["anna"])
        _html(blocks["anna"])  # a second visit sends nothing new
        assert people["anna"].published == [("grade", {"value": 80.0, "max_value": 100.0})]
        assert people[partner].published == []  # until the partner comes back
        _html(blocks[partner])
        assert people[partner].published == [("grade", {"value": 80.0, "max_value": 100.0})]
        others = [u for u in people if u not in ("anna", partner)]
        assert all(people[u].published == [] for u in others)


def _handed_in(runtime: Any, staff: Any, staff_page: str) -> tuple[int, str]:
    """The group that handed in, opened from the instructors' table: its id and page."""
    for found in re.findall(r'class="gw-open" data-group="(\d+)"', staff_page):
        opened = _act(runtime, staff, "open_group", {"group": found})
        if 'class="gw-text"' in opened:
            return int(found), opened
    raise AssertionError(staff_page)


def _marks(html: str, given: dict[str, int]) -> dict[str, str]:
    """The rating form filled: ``given`` by "you" and "other", as the learner sees them."""
    you = re.search(r'<label for="gw-mark-[^"]+-(\d+)">Voto per te<', html)
    other = re.search(r'<label for="gw-mark-[^"]+-(\d+)">Voto per Membro', html)
    assert you, html
    assert other, html
    return {
        f"mark-{you.group(1)}": str(given["you"]),
        f"mark-{other.group(1)}": str(given["other"]),
    }


class Classroom:
    """One block designed by an instructor with ``fields`` and four learners' runtimes."""

    def __init__(self, make_runtime: Callable[..., Any], **fields: Any) -> None:
        self.staff_runtime = make_runtime("docente", staff=True)
        designed = block_from(self.staff_runtime, XML)
        for name, value in fields.items():
            setattr(designed, name, value)
        designed.save()
        usage = designed.scope_ids.usage_id
        self.people = {u: make_runtime(u) for u in ("anna", "bruno", "carla", "dario")}
        self.blocks = {u: r.get_block(usage) for u, r in self.people.items()}
        self.staff = self.staff_runtime.get_block(usage)

    def formed(self) -> tuple[str, str]:
        """Everyone opened the block and the groups formed: Anna's page, her partner."""
        for block in self.blocks.values():
            _html(block)
        _act(self.staff_runtime, self.staff, "form_groups", {})
        anna = _html(self.blocks["anna"])
        partner = next(
            u
            for u in ("bruno", "carla", "dario")
            if _group_name(_html(self.blocks[u])) == _group_name(anna)
        )
        return anna, partner


def test_peer_marks_grades_overrides_and_moves_in_the_block(
    make_runtime: Callable[..., Any], app: Flask, database: Database
) -> None:
    from opes_xblocks import compat

    room = Classroom(make_runtime, scheme="webpa", webpa_weight=1.0)
    staff_runtime, staff, people, blocks = room.staff_runtime, room.staff, room.people, room.blocks
    with live_tool(app, database):
        anna, partner = room.formed()
        assert "Valuta il tuo gruppo" in anna
        rated = _act(
            people["anna"], blocks["anna"], "rate_members", _marks(anna, {"you": 3, "other": 3})
        )
        assert "I tuoi voti sono salvati" in rated
        assert 'value="3.0" required' in rated  # her marks come back to her
        off = _act(
            people["anna"], blocks["anna"], "rate_members", _marks(anna, {"you": 9, "other": 3})
        )
        assert 'class="gw-error"' in off
        theirs = _html(blocks[partner])
        _act(
            people[partner], blocks[partner], "rate_members", _marks(theirs, {"you": 2, "other": 4})
        )
        _act(people["anna"], blocks["anna"], "save_draft", {"based_on": 0, "text": "Piano"})
        _act(people["anna"], blocks["anna"], "submit_work", {"confirmed": 1})

        staff_page = _html(staff)
        own = re.search(r'class="gw-publish"', staff_page)
        assert own is None  # nothing graded yet
        group, _ = _handed_in(staff_runtime, staff, staff_page)
        graded = _act(staff_runtime, staff, "grade_group", {"group": group, "score": "60"})
        # WebPA: Anna 1/2 + 2/3, her partner 1/2 + 1/3 of the group's 60 (weight 1).
        assert "70 / 100" in graded
        assert "50 / 100" in graded
        assert "fattore dei pari 1.17" in graded
        who = re.search(
            r'<select id="gw-ov-who-[^"]+" name="user"><option value="([0-9a-f]{64})"', graded
        )
        assert who
        no_reason = {"group": group, "user": who.group(1), "kind": "override", "grade": "65"}
        refused = _act(staff_runtime, staff, "grade_member", no_reason)
        assert 'class="gw-error"' in refused
        assert "Cosa ha consegnato" in refused
        saved = _act(staff_runtime, staff, "grade_member", no_reason | {"reason": "assente"})
        assert "Il voto del membro è salvato" in saved
        assert "65: assente" in saved

        # Anna moves to the other group; the history keeps where she was.
        anna_id = compat.viewer_pseudonym(blocks["anna"])
        target = next(
            int(g)
            for g in re.findall(r'class="gw-open" data-group="(\d+)"', staff_page)
            if int(g) != group
        )
        moved = _act(staff_runtime, staff, "move_member",
                     {"user": anna_id, "to": str(target),
                      "reason": "mescolare"})  # fmt: skip
        assert "la cronologia del gruppo lo conserva" in moved
        again = _act(staff_runtime, staff, "open_group", {"group": group})
        assert "mescolare" in again
        out = _act(staff_runtime, staff, "move_member",
                   {"user": anna_id, "to": "out"})  # fmt: skip
        assert "Studenti senza gruppo" in out
        assert "Non sei ancora in un gruppo" in _html(blocks["anna"])
        refused = _act(people["bruno"], blocks["bruno"], "move_member",
                       {"user": anna_id, "to": str(target)})  # fmt: skip
        assert "Solo i docenti del corso" in refused


def _group_name(html: str) -> str:
    found = re.search(r"<h3>Il tuo gruppo: ([^<]+)<", html)
    assert found, html
    return found.group(1)


def test_without_the_tool_the_block_says_what_to_set_up(
    make_runtime: Callable[..., Any],
) -> None:
    page = _html(block_from(make_runtime(), XML))
    assert "TOOL_URL" in page
    assert 'role="alert"' in page


def test_an_unreachable_tool_is_a_clear_message_not_an_error(
    make_runtime: Callable[..., Any],
) -> None:
    from django.test import override_settings

    with override_settings(XBLOCK_SETTINGS={"OPES": {"TOOL_URL": "http://127.0.0.1:9"}}):
        page = _html(block_from(make_runtime(), XML))
    assert "non è raggiungibile" in page


def test_every_setting_goes_out_and_comes_back_in_olx(make_runtime: Callable[..., Any]) -> None:
    runtime = make_runtime()
    block = block_from(runtime, XML)
    block.deadline, block.late, block.deliverable, block.scale = (
        "2026-06-30T23:59:00+02:00",
        "refused",
        "link",
        30.0,
    )
    block.scheme, block.webpa_weight, block.webpa_penalty = "webpa", 0.4, 0.1
    block.rubric = [
        {"code": "fit", "title": "Aderenza al bando", "levels": [
            {"label": "debole", "points": 0}, {"label": "buona", "points": 5}]}
    ]  # fmt: skip
    node = etree.Element("opes_groupwork")
    block.add_xml_to_node(node)
    again = block_from(make_runtime(), etree.tostring(node).decode())
    for name in block.editable_fields:
        assert getattr(again, name) == getattr(block, name), name


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"least": 6, "most": 2}, "largest"),
        ({"deadline": "domani"}, "due"),
        ({"display_name": ""}, "title"),
        ({"scheme": "webpa", "webpa_weight": 2}, "grading.weight"),
        ({"rubric": [{"code": "fit", "title": "x", "levels": []}]}, "rubric"),
    ],
)
def test_studio_refuses_settings_the_tool_would_refuse(
    make_runtime: Callable[..., Any], changes: dict[str, Any], field: str
) -> None:
    runtime = make_runtime(staff=True)
    block = block_from(runtime, XML)
    status, answer = call(
        runtime, block, "submit_studio_edits", {"values": changes, "defaults": []}
    )
    assert status == 400
    assert field in str(answer)
    assert block.least == 2
    assert block.display_name == "Progetto per un bando"


def test_with_a_teamset_the_learners_team_is_their_group(
    make_runtime: Callable[..., Any],
    app: Flask,
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from opes_xblocks import compat

    teams = {"anna": ("t-1", "Squadra Adriatico"), "bruno": ("t-1", "Squadra Adriatico")}
    asked: list[str] = []

    def team_of(block: Any, teamset: str) -> tuple[str, str] | None:
        asked.append(teamset)
        return teams.get(block.runtime.user_id)

    monkeypatch.setattr(compat, "learner_team", team_of)
    staff_runtime = make_runtime("docente", staff=True)
    usage = block_from(staff_runtime, XML).scope_ids.usage_id
    designed = staff_runtime.get_block(usage)
    designed.teamset = "progetti"
    designed.save()
    with live_tool(app, database):
        pages = {u: _html(make_runtime(u).get_block(usage)) for u in ("anna", "bruno")}
    assert all("Il tuo gruppo: Squadra Adriatico" in p for p in pages.values())
    assert "Membro 1" in pages["bruno"]  # Anna, who came first, in Bruno's group
    assert set(asked) == {"progetti"}


PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def _upload(runtime: Any, block: Any, name: str, data: bytes) -> str:
    """A file sent to the block's upload handler as a browser's form sends it."""
    import webob
    from django.utils import translation

    request = webob.Request.blank("/", POST={"file": (name, data)})
    assert request.content_type == "multipart/form-data"
    with translation.override("it"):
        response = runtime.handle(block, "upload_file", request)
    assert response.status_code == 200, response.body
    return _plain_numbers(str(response.json["html"]))


def _download(runtime: Any, block: Any, url: str) -> Any:
    import webob

    query = url.split("?", 1)[1]
    return runtime.handle(block, "download", webob.Request.blank(f"/?{query}"))


def _file_link(html: str, name: str) -> str:
    found = re.search(rf'<a href="([^"]+)"[^>]*>{re.escape(name)}</a>', html)
    assert found, html
    return found.group(1).replace("&amp;", "&")


def test_files_and_reviews_between_groups_in_the_block(
    make_runtime: Callable[..., Any], app: Flask, database: Database
) -> None:
    rubric = [
        {"code": "fit", "title": "Aderenza al bando", "levels": [
            {"label": "debole", "points": 0}, {"label": "buona", "points": 10}]}
    ]  # fmt: skip
    room = Classroom(make_runtime, deliverable="file", rubric=rubric, review_gives=1,
                     review_needs=1)  # fmt: skip
    staff_runtime, staff, people, blocks = room.staff_runtime, room.staff, room.people, room.blocks
    with live_tool(app, database):
        anna, partner = room.formed()
        assert "Ancora nessun file condiviso" in anna
        other = next(u for u in ("bruno", "carla", "dario") if u != partner)

        shared = _upload(people["anna"], blocks["anna"], "Progetto finale.pdf", PDF)
        assert "Progetto finale.pdf è condiviso con il gruppo" in shared
        link = _file_link(shared, "Progetto finale.pdf")
        served = _download(people[partner], blocks[partner], link)
        assert served.status_code == 200
        assert served.body == PDF
        assert served.headers["Content-Type"] == "application/pdf"
        assert served.headers["Content-Disposition"].startswith("attachment;")
        assert served.headers["X-Content-Type-Options"] == "nosniff"
        refused = _download(people[other], blocks[other], link)
        assert refused.status_code == 403
        assert "membri" in refused.text  # the tool's reason, in words
        assert _download(staff_runtime, staff, link).body == PDF

        # A program renamed .pdf is refused by what it is, and said on the page.
        disguised = _upload(people["anna"], blocks["anna"], "bando.pdf", b"MZ\x90\x00" + b"\0" * 60)
        assert 'class="gw-error"' in disguised
        assert "bando.pdf" not in disguised
        import webob

        empty = people["anna"].handle(
            blocks["anna"], "upload_file", webob.Request.blank("/", POST={})
        )
        assert empty.status_code == 400
        spare = _upload(people[partner], blocks[partner], "appunti.txt", b"appunti\n")
        spare_id = int(_file_link(spare, "appunti.txt").rsplit("=", 1)[1])
        withdrawn = _act(people[partner], blocks[partner], "withdraw_file", {"file": spare_id})
        assert "Il file è ritirato" in withdrawn
        assert "appunti.txt" not in withdrawn

        file_id = int(link.rsplit("=", 1)[1])
        handed = _act(people["anna"], blocks["anna"], "submit_work", {"file": file_id})
        assert "Consegnato il" in handed
        assert "Condividi il file" not in handed  # closed after the hand-in
        theirs = _upload(people[other], blocks[other], "altro.pdf", PDF)
        other_id = int(_file_link(theirs, "altro.pdf").rsplit("=", 1)[1])
        _act(people[other], blocks[other], "submit_work", {"file": other_id})

        staff_page = _html(staff)
        assert "Revisioni tra gruppi" in staff_page
        refused_page = _act(people["anna"], blocks["anna"], "start_reviews", {})
        assert "Solo i docenti del corso" in refused_page
        drawn = _act(staff_runtime, staff, "start_reviews", {})
        assert "2 revisioni assegnate" in drawn
        assert "Chi aspetta chi" in drawn

        anna = _html(blocks["anna"])
        assert "Lavoro 1" in anna
        to_review = _file_link(anna, "altro.pdf")
        assert _download(people["anna"], blocks["anna"], to_review).body == PDF
        assignment = _number(anna, "assignment")
        review = {"assignment": assignment, "level-fit": "1", "comment": "Chiaro"}
        reviewed = _act(people["anna"], blocks["anna"], "give_review", review)
        assert "la revisione è inviata" in reviewed
        assert "Il tuo gruppo ha revisionato questo lavoro" in reviewed
        received = _html(blocks[other])
        assert "Revisione 1: 10 punti." in received
        assert "Chiaro" in received
        # The reviewed group's grade is the reviews' mean: the instructor can publish it.
        assert "10 / 100" not in _html(staff)
        assert "100 / 100" in _html(staff)


def _sheet(runtime: Any, block: Any, text: str) -> Any:
    import webob
    from django.utils import translation

    request = webob.Request.blank("/", POST={"file": ("gruppi.csv", text.encode())})
    with translation.override("it"):
        return runtime.handle(block, "import_groups", request)


def test_instructors_import_groups_and_see_learners_by_name(
    make_runtime: Callable[..., Any], app: Flask, database: Database
) -> None:
    room = Classroom(make_runtime)
    with live_tool(app, database):
        for user in ("anna", "bruno", "carla"):
            _html(room.blocks[user])  # dario has not come yet
        staff_page = _html(room.staff)
        assert "Gruppi da un foglio di calcolo" in staff_page

        sheet = "persona;gruppo\nanna;Rossi\nbruno;Rossi\ncarla;Verdi\ndario;Verdi\n"
        learner = _sheet(room.people["anna"], room.blocks["anna"], sheet)
        assert "Solo i docenti del corso" in learner.json["html"]
        wrong = _sheet(room.staff_runtime, room.staff, sheet + "anna;Verdi\n")
        assert "Non è stato cambiato nulla" in wrong.json["html"]
        assert "riga 6" in wrong.json["html"]
        assert _sheet(room.staff_runtime, room.staff, "").status_code == 400

        done = _sheet(room.staff_runtime, room.staff, sheet)
        assert done.status_code == 200
        assert "2 gruppi importati" in done.json["html"]
        rossi = re.search(r'data-group="(\d+)" aria-label="Apri Rossi"', done.json["html"])
        assert rossi, done.json["html"]
        opened = _act(room.staff_runtime, room.staff, "open_group", {"group": rossi.group(1)})
        # The LMS names its learners to their instructors (the workbench by its ids).
        assert '<th scope="row">anna</th>' in opened
        assert '<th scope="row">bruno</th>' in opened
        assert "Studente " not in opened
        # Dario was placed before he came: his first visit finds him in his group.
        assert _group_name(_html(room.blocks["dario"])) == "Verdi"


def test_learners_choose_their_group_in_the_block(
    make_runtime: Callable[..., Any], app: Flask, database: Database
) -> None:
    room = Classroom(make_runtime, formation="choice", least=1)
    with live_tool(app, database):
        for block in room.blocks.values():
            _html(block)
        _act(room.staff_runtime, room.staff, "form_groups", {})
        anna = _html(room.blocks["anna"])
        assert "Scegli il tuo gruppo" in anna
        assert "0 posti occupati su 2" in anna
        group = re.search(r'class="gw-choose-group" data-group="(\d+)"', anna)
        assert group, anna
        joined = _act(room.people["anna"], room.blocks["anna"], "choose_group",
                      {"group": group.group(1)})  # fmt: skip
        assert "Sei entrato nel gruppo" in joined
        assert "Il tuo gruppo" in joined
        _act(room.people["bruno"], room.blocks["bruno"], "choose_group", {"group": group.group(1)})
        full = _act(room.people["carla"], room.blocks["carla"], "choose_group",
                    {"group": group.group(1)})  # fmt: skip
        assert 'class="gw-error"' in full
        assert f'data-group="{group.group(1)}"' not in full  # a full group is not offered


def test_the_drafts_versions_and_a_past_group_in_the_block(
    make_runtime: Callable[..., Any], app: Flask, database: Database
) -> None:
    from opes_xblocks import compat

    room = Classroom(make_runtime)
    with live_tool(app, database):
        anna, partner = room.formed()
        people, blocks = room.people, room.blocks
        _act(people["anna"], blocks["anna"], "save_draft", {"based_on": 0, "text": "Obiettivi"})
        saved = _act(people["anna"], blocks["anna"], "save_draft",
                     {"based_on": 1, "text": "Obiettivi\nBudget"})  # fmt: skip
        assert "Tutte le versioni" in saved
        assert 'aria-label="Mostra la versione 1"' in saved
        shown = _act(people[partner], blocks[partner], "show_version", {"number": "2"})
        assert "Versione 2 della bozza" in shown
        assert '<span class="gw-added"><span class="gw-sr">+ </span>Budget</span>' in shown
        refused = _act(people[partner], blocks[partner], "show_version", {"number": "9"})
        assert 'class="gw-error"' in refused

        staff_page = _html(room.staff)
        own = _group_name(anna)
        here = re.search(rf'data-group="(\d+)" aria-label="Apri {own}"', staff_page)
        assert here, staff_page
        elsewhere = next(
            g for g in re.findall(r'class="gw-open" data-group="(\d+)"', staff_page)
            if g != here.group(1)
        )  # fmt: skip
        anna_id = compat.viewer_pseudonym(blocks["anna"])
        _act(room.staff_runtime, room.staff, "move_member", {"user": anna_id, "to": elsewhere})
        moved = _html(blocks["anna"])
        assert "Gruppi di cui facevi parte" in moved
        assert f"Apri {own}" in moved
        past = _act(people["anna"], blocks["anna"], "open_past", {"group": here.group(1)})
        assert "Obiettivi\nBudget" in past
        assert "Puoi continuare a leggere" in past
        other = next(u for u in ("bruno", "carla", "dario") if u != partner)
        stranger = _act(people[other], blocks[other], "open_past", {"group": here.group(1)})
        assert 'class="gw-error"' in stranger
        assert "Obiettivi\nBudget" not in stranger
