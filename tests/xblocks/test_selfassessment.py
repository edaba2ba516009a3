"""The self-assessment XBlock in xblock-sdk's runtime: views, handlers, OLX, reports."""

from __future__ import annotations

import io
import json
import re
import time
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa

from opes_lti.competencies import builtin, case
from tests.xblocks.conftest import block_from, call

PRE = '<opes_selfassessment phase="pre" areas=\'["PA"]\' display="competency"/>'
POST = '<opes_selfassessment phase="post" areas=\'["PA"]\' display="area"/>'


def _html(block: Any, view: str = "student_view") -> str:
    from django.utils import translation

    with translation.override("it"):
        html = str(block.runtime.render(block, view).body_html())
    # Browsers read "1,5" in a number field as nothing: attributes carry plain numbers.
    assert not re.search(r'="-?\d+,\d+"', html), html
    return html


def _outbox(block: Any) -> list[tuple[str, dict[str, Any]]]:
    """(status, event) of the LMS outbox rows this block emitted."""
    from opes_xblocks.outbox.models import PendingEvent

    rows = [(row.status, json.loads(row.body)) for row in PendingEvent.objects.order_by("id")]
    return [(s, e) for s, e in rows if e["context"]["activity"] == str(block.scope_ids.usage_id)]


def _answer(runtime: Any, block: Any, level: int) -> dict[str, Any]:
    assert call(runtime, block, "save_profile", {"role": "manager", "region": "16"})[0] == 200
    for code in ("PA.1", "PA.2"):
        status, progress = call(runtime, block, "save_answers", {"answers": {code: level}})
        assert status == 200
    assert progress == {"success": True, "errors": [], "answered": 2, "total": 2}
    status, body = call(runtime, block, "submit", {})
    assert status == 200, body
    return body


def test_first_view_asks_the_profile_in_italian(make_runtime: Callable[..., Any]) -> None:
    runtime = make_runtime()
    html = _html(block_from(runtime, PRE))
    assert "Chi sei" in html
    assert re.search(r'class="sa-questions" hidden', html)
    assert "Co-programmazione e co-progettazione" in html
    # Two screens (PA.1, PA.2): the first goes on, the last submits; the first is shown.
    assert html.count('class="sa-next"') == 1
    assert html.count('class="sa-submit"') == 1
    assert re.findall(r'<div class="sa-screen" data-screen="(\d)"( hidden)?>', html) == [
        ("0", ""),
        ("1", " hidden"),
    ]


def test_english_learner_gets_english_text(make_runtime: Callable[..., Any]) -> None:
    from django.utils import translation

    runtime = make_runtime()
    block = block_from(runtime, PRE)
    with translation.override("en"):
        html = runtime.render(block, "student_view").body_html()
    assert "About you" in html
    assert "Co-programming and co-design" in html


def test_a_learner_coming_back_finds_their_answers_and_screen(
    make_runtime: Callable[..., Any],
) -> None:
    runtime = make_runtime()
    block = block_from(runtime, PRE)
    call(runtime, block, "save_profile", {"skip": True})
    call(runtime, block, "save_answers", {"answers": {"PA.1": 4}})
    html = _html(block)
    checked = re.findall(r'id="[^"]*-PA-(\d)-(\d)" value="\d"( checked)?', html)
    assert [(code, level) for code, level, mark in checked if mark] == [("1", "4")]
    assert re.findall(r'data-screen="(\d)">', html) == ["1"]  # resumes on the open one
    other = make_runtime()  # the drawn screens are shared; the marks are not
    assert " checked" not in _html(other.get_block(block.scope_ids.usage_id)).split("sa-screen")[1]


def test_answers_submitted_publish_grade_and_completion_and_show_the_result(
    make_runtime: Callable[..., Any],
) -> None:
    runtime = make_runtime()
    block = block_from(runtime, PRE)
    body = _answer(runtime, block, 3)
    assert "Il mio profilo di competenze" in body["html"]
    assert 'role="img"' in body["html"]
    assert ("grade", {"value": 1.0, "max_value": 1.0}) in runtime.published
    assert ("completion", {"completion": 1.0}) in runtime.published
    bodies = _outbox(block)
    assert len(bodies) == 2  # no reporting service configured: kept in the LMS outbox
    assert {status for status, _ in bodies} == {"pending"}
    event = bodies[0][1]
    assert event["type"] == "self_assessment.submitted"
    assert event["context"]["platform"] == "openedx"
    assert event["actor"]["role"] == "manager"
    assert "Il mio profilo di competenze" in _html(block)  # the result stays


def test_a_bad_answer_is_refused_and_changes_nothing(make_runtime: Callable[..., Any]) -> None:
    runtime = make_runtime()
    block = block_from(runtime, PRE)
    for answers in ({"PA.1": 9}, {"GO.1": 2}, {"PA.1": "x"}, "not an object"):
        status, body = call(runtime, block, "save_answers", {"answers": answers})
        assert status == 400
        assert body["success"] is False
        assert body["errors"]
    assert block.answers == {}
    status, body = call(runtime, block, "submit", {})
    assert status == 400
    assert any("Alcune competenze" in e or "Some competences" in e for e in body["errors"])
    assert runtime.published == []


def test_post_block_shows_growth_since_the_pre_block(make_runtime: Callable[..., Any]) -> None:
    runtime = make_runtime()
    _answer(runtime, block_from(runtime, PRE), 2)
    post = block_from(runtime, POST)
    body = _answer(runtime, post, 4)
    assert "<td>+2</td>" in body["html"]


def test_events_reach_a_real_reporting_service(
    make_runtime: Callable[..., Any], app: Any, make_source: Callable[..., Any]
) -> None:
    from django.test import override_settings

    from opes_lti.reporting.models import StoredEvent
    from tests.support.servers import serve_wsgi

    token = make_source("openedx-test")
    with serve_wsgi(app) as url:
        bucket = {"REPORTING_URL": url, "REPORTING_TOKEN": token, "SOURCE_NAME": "openedx-test"}
        with override_settings(XBLOCK_SETTINGS={"SelfAssessmentXBlock": bucket}):
            runtime = make_runtime()
            block = block_from(runtime, PRE)
            _answer(runtime, block, 3)
    assert {status for status, _ in _outbox(block)} == {"delivered"}  # sent at once
    database = app.extensions["opes_db"]
    with database.sessions() as db:
        stored = db.scalars(sa.select(StoredEvent)).all()
    assert sorted(e.type for e in stored) == ["self_assessment.submitted"] * 2


def test_staff_see_class_averages_only_from_five_learners(
    make_runtime: Callable[..., Any],
) -> None:
    first = make_runtime()
    block = block_from(first, PRE)
    usage = block.scope_ids.usage_id
    for n in range(4):
        runtime = first if n == 0 else make_runtime()
        _answer(runtime, runtime.get_block(usage), 1 + n % 2)
    staff = make_runtime(staff=True)
    html = _html(staff.get_block(usage))
    assert "Partecipanti che hanno inviato qui: 4" in html
    assert "<td>—</td>" in html  # four learners: suppressed
    fifth = make_runtime()
    _answer(fifth, fifth.get_block(usage), 1)
    html = _html(staff.get_block(usage))
    assert "<td>1.4</td>" in html  # 1, 2, 1, 2, 1
    import webob

    csv_response = staff.handle(staff.get_block(usage), "class_csv", webob.Request.blank("/"))
    assert csv_response.status_code == 200
    assert "PA.1" in csv_response.text
    learner = make_runtime()
    refused = learner.handle(learner.get_block(usage), "class_csv", webob.Request.blank("/"))
    assert refused.status_code == 403


def test_studio_settings_are_validated_and_round_trip_through_olx(
    make_runtime: Callable[..., Any],
) -> None:
    runtime = make_runtime()
    block = block_from(runtime, PRE)
    block.weight = 1.5
    studio = _html(block, "studio_view")
    assert "Quadro di competenze" in studio
    assert 'value="1.5"' in studio  # not Italian's "1,5", which the number field drops
    framework = builtin.load("opes-organizzazione")
    status, _body = call(
        runtime,
        block,
        "studio_submit",
        {
            "display_name": "Autovalutazione dell'ente",
            "framework": "uploaded",
            "framework_file": case.dumps(framework),
            "phase": "post",
            "display": "area",
            "areas": ["GV", "XX", "RT"],
            "weight": "2.5",
        },
    )
    assert status == 200
    assert block.areas == ["GV", "RT"]
    out = io.BytesIO()
    runtime.export_to_xml(block, out)
    olx = out.getvalue().decode("utf-8").split("?>", 1)[-1]  # the fragment, no declaration
    again = block_from(make_runtime(), olx)
    for field in ("display_name", "framework", "framework_file", "phase", "display", "areas"):
        assert getattr(again, field) == getattr(block, field), field
    assert again.weight == 2.5
    assert "Governance e trasparenza" in _html(again)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"framework": "uploaded", "framework_file": "{"}, "not JSON"),
        ({"framework": "nope"}, "unknown 'nope'"),
        ({"phase": "later"}, "phase"),
        ({"weight": "heavy"}, "weight"),
        ({"display_name": " "}, "display_name"),
    ],
)
def test_studio_bad_settings_are_refused_and_nothing_is_stored(
    make_runtime: Callable[..., Any], change: dict[str, str], message: str
) -> None:
    runtime = make_runtime()
    block = block_from(runtime, PRE)
    good = {
        "display_name": "X",
        "framework": builtin.DEFAULT,
        "phase": "pre",
        "display": "competency",
        "weight": 1,
    }
    status, body = call(runtime, block, "studio_submit", good | change)
    assert status == 400
    assert body["success"] is False
    assert any(message in e for e in body["errors"])
    assert block.display_name != "X"


def test_student_view_data_and_the_learner_response_report(
    make_runtime: Callable[..., Any],
) -> None:
    runtime = make_runtime()
    block = block_from(runtime, PRE)
    call(runtime, block, "save_answers", {"answers": {"PA.1": 2}})
    data = block.student_view_data()
    assert data["phase"] == "pre"
    assert [c["code"] for s in data["screens"] for c in s["competencies"]] == ["PA.1", "PA.2"]
    assert data["answers"] == {"PA.1": 2}
    json.dumps(data)  # what the mobile apps receive is JSON

    class State:
        def __init__(self, username: str, state: dict[str, Any]) -> None:
            self.username, self.state = username, state

    rows = list(
        block.generate_report_data(
            iter(
                [
                    State("anna", {"answers": {"PA.2": 3, "PA.1": 1}, "submitted": True}),
                    State("bruno", {}),
                ]
            ),
        )
    )
    assert rows == [
        (
            "anna",
            {
                "Phase": "pre",
                "Framework": builtin.DEFAULT,
                "Submitted": True,
                "Answers": "PA.1=1; PA.2=3",
            },
        )
    ]


def test_a_broken_uploaded_framework_shows_a_clear_message(
    make_runtime: Callable[..., Any],
) -> None:
    runtime = make_runtime()
    block = block_from(runtime, '<opes_selfassessment framework="uploaded" framework_file="{}"/>')
    html = _html(block)
    assert 'role="alert"' in html
    assert "configurato in modo errato" in html


def test_the_block_module_imports_without_any_server_package() -> None:
    # Inside the LMS only opes-lti's base install is there: Flask, SQLAlchemy and the
    # rest are made unimportable here, as they would be.
    import subprocess
    import sys

    code = (
        "import sys\n"
        "for name in ('flask', 'flask_babel', 'sqlalchemy', 'alembic', 'gunicorn', 'redis',"
        " 'pylti1p3', 'psycopg'):\n"
        "    sys.modules[name] = None\n"
        "import opes_xblocks.selfassessment\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "ok"


def test_studio_offers_frameworks_added_to_the_tool_and_keeps_a_copy(
    make_runtime: Callable[..., Any], app: Any
) -> None:
    import dataclasses

    from django.test import override_settings

    from opes_lti.competencies.framework import Text
    from opes_lti.framework_library import services as library
    from tests.support.servers import serve_wsgi

    custom = dataclasses.replace(
        builtin.load("opes-organizzazione"), id="ets-puglia", title=Text("Enti pugliesi")
    )
    from opes_lti.sites import services as sites

    with app.extensions["opes_db"].transaction() as db:
        library.add(db, custom)
        site_token = sites.REGISTRY.add(db, "openedx-test").token
    runtime = make_runtime()
    block = block_from(runtime, PRE)
    with (
        serve_wsgi(app) as url,
        override_settings(XBLOCK_SETTINGS={"OPES": {"TOOL_URL": url, "TOOL_TOKEN": site_token}}),
    ):
        studio = _html(block, "studio_view")
        assert 'value="tool:ets-puglia"' in studio
        assert "Enti pugliesi (dallo strumento OPES)" in studio
        status, body = call(
            runtime,
            block,
            "studio_submit",
            {
                "display_name": "Ente",
                "framework": "tool:ets-puglia",
                "phase": "pre",
                "display": "area",
                "weight": 1,
            },
        )
        assert status == 200, body
        refused = call(
            runtime,
            block,
            "studio_submit",
            {
                "display_name": "X",
                "framework": "tool:nope",
                "phase": "pre",
                "display": "area",
                "weight": 1,
            },
        )
        assert refused[0] == 400
    assert block.framework == "uploaded"
    assert case.loads(block.framework_file) == custom  # a copy: the tool may go away
    assert "Enti pugliesi" in _html(block)


def test_studio_says_when_the_tool_cannot_be_reached(make_runtime: Callable[..., Any]) -> None:
    from django.test import override_settings

    runtime = make_runtime()
    block = block_from(runtime, PRE)
    bucket = {"TOOL_URL": "http://127.0.0.1:9"}  # nothing listens there
    with override_settings(XBLOCK_SETTINGS={"OPES": bucket}):
        studio = _html(block, "studio_view")
    assert "non è raggiungibile" in studio
    assert "Progettazione e gestione nel Terzo settore" in studio  # shipped ones still offered


def test_without_the_outbox_app_events_held_by_an_outage_leave_at_the_next_visit(
    make_runtime: Callable[..., Any],
    app: Any,
    make_source: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A platform that installed the block but not its outbox app: a learner's own list.
    from django.test import override_settings

    from opes_xblocks import compat

    monkeypatch.setattr(compat, "outbox_installed", lambda: False)

    from opes_lti.reporting.models import StoredEvent
    from tests.support.servers import serve_wsgi

    token = make_source("openedx-test")
    down = {
        "REPORTING_URL": "http://127.0.0.1:9",
        "REPORTING_TOKEN": token,
        "SOURCE_NAME": "openedx-test",
    }
    runtime = make_runtime()
    block = block_from(runtime, PRE)
    with override_settings(XBLOCK_SETTINGS={"OPES": down}):
        _answer(runtime, block, 2)
    assert len(block.pending_events) == 2
    assert {e["attempts"] for e in block.pending_events} == {1}
    assert all(e["due"] > time.time() for e in block.pending_events)
    with serve_wsgi(app) as url:
        bucket = {"REPORTING_URL": url, "REPORTING_TOKEN": token, "SOURCE_NAME": "openedx-test"}
        with override_settings(XBLOCK_SETTINGS={"OPES": bucket}):
            _html(block)  # too early: the backoff holds
            assert len(block.pending_events) == 2
            block.pending_events = [{**e, "due": 0.0} for e in block.pending_events]
            _html(block)  # the learner comes back to their result
    assert block.pending_events == []
    with app.extensions["opes_db"].sessions() as db:
        assert len(db.scalars(sa.select(StoredEvent)).all()) == 2


def test_one_pip_build_makes_a_wheel_with_entry_point_and_compiled_catalogs(
    tmp_path: Any,
) -> None:
    import subprocess
    import sys
    import zipfile
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            str(tmp_path),
            str(root / "xblocks"),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("opes_xblocks-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "opes_xblocks/translations/it/LC_MESSAGES/text.mo" in names
    assert "opes_xblocks/templates/student.html" in names
    assert "opes_xblocks/static/js/selfassessment.js" in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "opes_selfassessment = opes_xblocks.selfassessment:SelfAssessmentXBlock" in text
    assert "[lms.djangoapp]" in text  # the outbox app, loaded by Open edX's plugin system
    assert "opes_xblocks/outbox/migrations/0001_initial.py" in names
    assert "opes_xblocks/outbox/management/commands/opes_send_events.py" in names


def test_events_held_by_an_outage_leave_with_the_send_command_even_if_nobody_returns(
    make_runtime: Callable[..., Any], app: Any, make_source: Callable[..., Any]
) -> None:
    from django.core.management import call_command
    from django.test import override_settings
    from django.utils import timezone

    from opes_lti.reporting.models import StoredEvent
    from opes_xblocks.outbox.models import PendingEvent
    from tests.support.servers import serve_wsgi

    token = make_source("openedx-test")
    down = {
        "REPORTING_URL": "http://127.0.0.1:9",
        "REPORTING_TOKEN": token,
        "SOURCE_NAME": "openedx-test",
    }
    runtime = make_runtime()
    block = block_from(runtime, PRE)
    with override_settings(XBLOCK_SETTINGS={"OPES": down}):
        _answer(runtime, block, 2)  # the inline attempt fails: the rows wait
    ids = [event["id"] for _, event in _outbox(block)]
    rows = PendingEvent.objects.filter(event_id__in=ids)
    assert {(r.status, r.attempts) for r in rows} == {("pending", 1)}
    assert all(r.next_attempt_at > timezone.now() for r in rows)  # backing off
    rows.update(next_attempt_at=timezone.now())  # as time passes
    with serve_wsgi(app) as url:
        bucket = down | {"REPORTING_URL": url}
        with override_settings(XBLOCK_SETTINGS={"OPES": bucket}):
            out = io.StringIO()
            call_command("opes_send_events", stdout=out)  # cron; the learner never returns
    assert "delivered 2" in out.getvalue()
    assert {r.status for r in PendingEvent.objects.filter(event_id__in=ids)} == {"delivered"}
    with app.extensions["opes_db"].sessions() as db:
        stored = {str(e.id) for e in db.scalars(sa.select(StoredEvent))}
    assert stored == set(ids)


def test_emitting_a_submission_twice_stores_each_event_once(
    make_runtime: Callable[..., Any],
) -> None:
    from opes_xblocks.outbox.models import PendingEvent
    from opes_xblocks.outbox.store import DjangoOutbox

    runtime = make_runtime()
    block = block_from(runtime, PRE)
    _answer(runtime, block, 3)
    before = PendingEvent.objects.count()
    from opes_lti.events.domain import parse_event

    again = [parse_event(event) for _, event in _outbox(block)]
    DjangoOutbox().emit_all(again)
    DjangoOutbox().emit(again[0])
    assert PendingEvent.objects.count() == before


def test_studio_with_a_wrong_site_token_says_the_tool_refused_and_offers_the_shipped_ones(
    make_runtime: Callable[..., Any], app: Any
) -> None:
    from django.test import override_settings

    from tests.support.servers import serve_wsgi

    block = block_from(make_runtime(), PRE)
    with (
        serve_wsgi(app) as url,
        override_settings(XBLOCK_SETTINGS={"OPES": {"TOOL_URL": url, "TOOL_TOKEN": "opes_site_x"}}),
    ):
        studio = _html(block, "studio_view")
    assert "non è raggiungibile" in studio
    assert "Progettazione e gestione nel Terzo settore" in studio
