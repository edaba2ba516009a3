"""The self-assessment as an LTI activity, launched from Open edX's platform code."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

import requests
import sqlalchemy as sa

from opes_lti.competencies import builtin
from opes_lti.events.models import OutboxEntry
from opes_lti.learners.models import LearnerProfile
from opes_lti.lti.grades import GradeJob
from opes_lti.selfassessment.models import AnswerSet
from tests.lti.conftest import Tool
from tests.support.platform import OpenEdxPlatform

FRAMEWORK = builtin.load(builtin.DEFAULT)
PA = ["PA.1", "PA.2"]


def _hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert match, page[-1500:]
    return match.group(1)


def _custom(phase: str = "pre", areas: str = "PA", display: str = "competency") -> dict[str, str]:
    return {"activity": "selfassessment", "phase": phase, "areas": areas, "display": display}


def _launch(platform: OpenEdxPlatform, user: str = "42", **custom: Any) -> requests.Response:
    resource = f"block-{custom.get('phase', 'pre')}"
    result = platform.launch(
        role="student", user_id=user, custom=_custom(**custom), resource_link_id=resource
    )
    assert result.response.status_code == 200, result.response.text[-800:]
    return result.response


def _post(tool: Tool, path: str, page: str, **data: Any) -> requests.Response:
    return requests.post(
        tool.url + path, data={"token": _hidden(page, "token"), **data}, timeout=10
    )


def _answer_all(tool: Tool, page: str, level: int, skip_profile: bool = True) -> requests.Response:
    if skip_profile:
        page = _post(tool, "/selfassessment/profile", page, action="skip").text
    response = None
    for code in PA:
        nav = "submit" if code == PA[-1] else "next"
        response = _post(
            tool,
            "/selfassessment/screen",
            page,
            nav=nav,
            **{"screen": _hidden(page, "screen"), f"level-{code}": str(level)},
        )
        page = response.text
    assert response is not None
    return response


def test_first_launch_asks_the_profile_prefilled_from_custom_parameters(
    tool: Tool, platform: OpenEdxPlatform
) -> None:
    page = platform.launch(
        role="student",
        custom=_custom() | {"opes_role": "volunteer", "opes_region": "16"},
    ).response
    assert page.status_code == 200
    assert "Chi sei" in page.text
    assert re.search(r'value="volunteer" id="role-volunteer" checked', page.text)
    assert re.search(r'<option value="16" selected>Puglia</option>', page.text)


def test_learner_answers_and_sees_the_result_with_events_and_a_grade(
    tool: Tool, platform: OpenEdxPlatform
) -> None:
    platform.enable_ags(lineitem=True)
    page = _launch(platform).text
    profile = _post(
        tool,
        "/selfassessment/profile",
        page,
        action="save",
        role="manager",
        organisation="APS  Il Ponte\t",
        region="16",
    )
    assert profile.status_code == 200
    assert "Schermata 1 di 2" in profile.text
    assert "Co-programmazione e co-progettazione" in profile.text
    first = _post(
        tool, "/selfassessment/screen", profile.text, screen="0", nav="next", **{"level-PA.1": "2"}
    )
    assert "Schermata 2 di 2" in first.text
    assert "1 su 2" in first.text
    done = _post(
        tool, "/selfassessment/screen", first.text, screen="1", nav="submit", **{"level-PA.2": "3"}
    )
    assert done.status_code == 200, done.text[-800:]
    assert "Il mio profilo di competenze" in done.text
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="opes-chart" role="img"' in done.text
    assert "<caption>I tuoi livelli, competenza per competenza</caption>" in done.text
    with tool.database.sessions() as db:
        answers = db.scalar(sa.select(AnswerSet))
        assert answers.answers == {"PA.1": 2, "PA.2": 3}
        assert answers.submitted_at is not None
        assert answers.role == "manager"
        profile_row = db.scalar(sa.select(LearnerProfile))
        assert profile_row.organisation == "APS Il Ponte"
        bodies = [json.loads(e.body) for e in db.scalars(sa.select(OutboxEntry))]
        job = db.scalar(sa.select(GradeJob))
    kinds = sorted(b["type"] for b in bodies)
    assert kinds == ["learner.profile_updated"] + ["self_assessment.submitted"] * 2
    submitted = [b for b in bodies if b["type"] == "self_assessment.submitted"]
    assert {b["payload"]["competency"]: b["payload"]["level"] for b in submitted} == {
        "PA.1": 2,
        "PA.2": 3,
    }
    assert {b["payload"]["framework_version"] for b in submitted} == {FRAMEWORK.version}
    assert {b["actor"]["region"] for b in submitted} == {"16"}
    assert json.loads(job.score)["scoreGiven"] == 1.0
    # Launching again shows the result, not the questions.
    again = _launch(platform)
    assert "Il mio profilo di competenze" in again.text


def test_answers_are_saved_as_the_learner_goes_and_resumed(
    tool: Tool, platform: OpenEdxPlatform
) -> None:
    page = _post(tool, "/selfassessment/profile", _launch(platform).text, action="skip").text
    token = _hidden(page, "token")
    saved = requests.post(
        tool.url + "/selfassessment/save",
        json={"token": token, "answers": {"PA.1": 4}},
        timeout=10,
    )
    assert saved.json() == {"answered": 1, "total": 2}
    resumed = _launch(platform)  # the learner closes the page and comes back
    assert "Schermata 2 di 2" in resumed.text
    back = _post(tool, "/selfassessment/screen", resumed.text, screen="1", nav="prev")
    assert re.search(r'id="level-PA.1-4" value="4" checked', back.text)


def test_a_bad_answer_is_refused_and_changes_nothing(tool: Tool, platform: OpenEdxPlatform) -> None:
    page = _post(tool, "/selfassessment/profile", _launch(platform).text, action="skip").text
    token = _hidden(page, "token")
    for answers in ({"PA.1": 9}, {"XX.1": 2}, {"PA.1": "tre"}, {"PA.1": 2, "PA.2": 0}):
        refused = requests.post(
            tool.url + "/selfassessment/save",
            json={"token": token, "answers": answers},
            timeout=10,
        )
        assert refused.status_code == 400
        assert refused.json()["error"]
    form = _post(
        tool, "/selfassessment/screen", page, screen="0", nav="next", **{"level-PA.1": "7"}
    )
    assert form.status_code == 400
    assert 'role="alert"' in form.text
    with tool.database.sessions() as db:
        assert db.scalar(sa.select(sa.func.count()).select_from(AnswerSet)) == 0
    bad = requests.post(tool.url + "/selfassessment/save", data="not json", timeout=10)
    assert bad.status_code == 400
    forged = requests.post(
        tool.url + "/selfassessment/save", json={"token": "x", "answers": {}}, timeout=10
    )
    assert forged.status_code == 403


def test_submitting_with_questions_open_says_so(tool: Tool, platform: OpenEdxPlatform) -> None:
    page = _post(tool, "/selfassessment/profile", _launch(platform).text, action="skip").text
    early = _post(tool, "/selfassessment/screen", page, screen="1", nav="submit")
    assert early.status_code == 400
    assert "Alcune competenze non hanno ancora una risposta" in early.text
    with tool.database.sessions() as db:
        assert db.scalar(sa.select(sa.func.count()).select_from(OutboxEntry)) == 1  # profile


def test_post_shows_growth_since_pre(tool: Tool, platform: OpenEdxPlatform) -> None:
    _answer_all(tool, _launch(platform, phase="pre").text, level=2)
    done = _answer_all(tool, _launch(platform, phase="post").text, level=4, skip_profile=False)
    assert done.status_code == 200, done.text[-800:]
    assert "<td>+2</td>" in done.text
    assert 'height="8"' in done.text  # the pre bars in the chart


def test_english_launch_gets_english_pages(tool: Tool, platform: OpenEdxPlatform) -> None:
    result = platform.launch(role="student", locale="en", custom=_custom())
    assert "About you" in result.response.text
    page = _post(tool, "/selfassessment/profile", result.response.text, action="skip")
    assert "Co-programming and co-design" in page.text
    assert "Screen 1 of 2" in page.text


def test_instructor_sees_class_averages_only_from_five_learners(
    tool: Tool, platform: OpenEdxPlatform
) -> None:
    for n in range(5):
        user = f"learner-{n}"
        _answer_all(tool, _launch(platform, user=user, phase="pre").text, level=1 + n % 2)
        if n < 4:
            _answer_all(
                tool, _launch(platform, user=user, phase="post").text, level=4, skip_profile=False
            )
    view = platform.launch(role="instructor", custom=_custom(phase="post")).response
    assert view.status_code == 200
    assert "Partecipanti che hanno risposto prima del corso: 5" in view.text
    assert "Partecipanti che hanno risposto dopo il corso: 4" in view.text
    assert "<td>1.4</td>" in view.text  # mean before of five learners: 1,2,1,2,1
    assert "<td>4.0</td>" not in view.text  # four learners after: suppressed
    download = _post(tool, "/selfassessment/class.csv", view.text)
    assert download.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(download.text.lstrip("\ufeff"))))
    assert [r["competency"] for r in rows] == PA
    assert rows[0]["n_pre"] == "5"
    assert rows[0]["mean_pre"] == "1.400"
    assert rows[0]["mean_post"] == ""
    learner = _launch(platform, user="learner-0", phase="post")
    refused = _post(tool, "/selfassessment/class.csv", learner.text)
    assert refused.status_code == 403


def test_unknown_framework_is_a_clear_error(tool: Tool, platform: OpenEdxPlatform) -> None:
    result = platform.launch(role="student", custom=_custom() | {"framework": "nope"})
    assert result.response.status_code == 400
    assert "configurata in modo errato" in result.response.text
    assert "nope" in result.response.text


def test_picker_offers_the_options_and_returns_them_as_custom_parameters(
    tool: Tool, platform: OpenEdxPlatform
) -> None:
    platform.enable_deep_linking()
    browser = requests.Session()
    picker = platform.launch(browser, message_type="LtiDeepLinkingRequest", role="instructor")
    assert "Quadro di competenze" in picker.response.text
    answer = browser.post(
        tool.url + "/lti/deep-link",
        timeout=10,
        data={
            "token": _hidden(picker.response.text, "token"),
            "activity": "selfassessment",
            "title-selfassessment": "Autovalutazione iniziale",
            "graded-selfassessment": "on",
            "max-selfassessment": "10",
            "opt-selfassessment-framework": "opes-progettazione",
            "opt-selfassessment-phase": "pre",
            "opt-selfassessment-areas": ["PS", "PA"],
            "opt-selfassessment-display": "area",
        },
    )
    assert answer.status_code == 200, answer.text[-800:]
    items = platform.consumer.check_and_decode_deep_linking_token(_hidden(answer.text, "JWT"))
    assert items[0]["custom"] == {
        "activity": "selfassessment",
        "framework": "opes-progettazione",
        "phase": "pre",
        "areas": "PS,PA",
        "display": "area",
    }
    assert items[0]["lineItem"]["scoreMaximum"] == 10.0


def test_an_added_organisational_framework_asks_for_the_organisation(
    tool: Tool, platform: OpenEdxPlatform
) -> None:
    import dataclasses

    from opes_lti.competencies.framework import Text
    from opes_lti.framework_library import services as library

    custom = dataclasses.replace(
        builtin.load("opes-organizzazione"), id="ets-puglia", title=Text("Enti pugliesi")
    )
    with tool.database.transaction() as db:
        library.add(db, custom)
    result = platform.launch(
        role="student",
        custom={"activity": "selfassessment", "framework": "ets-puglia", "areas": "GV"},
    )
    page = _post(tool, "/selfassessment/profile", result.response.text, action="skip").text
    assert "Enti pugliesi" in page
    page = _post(
        tool, "/selfassessment/screen", page, screen="0", nav="next", **{"level-GV.1": "3"}
    ).text
    asked = _post(
        tool, "/selfassessment/screen", page, screen="1", nav="submit", **{"level-GV.2": "4"}
    )
    assert asked.status_code == 400
    assert "ha bisogno del suo nome" in asked.text
    saved = _post(
        tool,
        "/selfassessment/profile",
        asked.text,
        action="save",
        role="manager",
        organisation="APS Il Ponte",
    )
    done = _post(tool, "/selfassessment/screen", saved.text, screen="1", nav="submit")
    assert "Il mio profilo di competenze" in done.text
    with tool.database.sessions() as db:
        bodies = [json.loads(e.body) for e in db.scalars(sa.select(OutboxEntry))]
    submitted = [b for b in bodies if b["type"] == "self_assessment.submitted"]
    assert {b["payload"]["scope"] for b in submitted} == {"organisation"}
    assert {b["payload"]["organisation"] for b in submitted} == {"APS Il Ponte"}
    assert {b["payload"]["framework"] for b in submitted} == {"ets-puglia"}


def test_instructor_sees_who_answered_with_names_from_the_roster(
    tool: Tool, platform: OpenEdxPlatform
) -> None:
    learner = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
    platform.enable_nrps(
        [
            {
                "user_id": "anna",
                "roles": [learner],
                "status": "Active",
                "name": "Anna <b>Rossi</b>",
            },
            {"user_id": "bruno", "roles": [learner], "status": "Active", "name": "Bruno Verdi"},
        ]
    )
    _answer_all(tool, _launch(platform, user="anna", phase="pre").text, level=2)
    view = platform.launch(role="instructor", custom=_custom(phase="post")).response
    assert view.status_code == 200
    rows = re.findall(r'<tr><th scope="row">([^<]*(?:&lt;[^<]*)*)</th>\s*<td>(✓|—)', view.text)
    assert rows == [("Anna &lt;b&gt;Rossi&lt;/b&gt;", "✓"), ("Bruno Verdi", "—")]
    with tool.database.sessions() as db:  # names were shown, not stored
        assert "Anna" not in json.dumps(
            [dict(r._mapping) for r in db.execute(sa.text("SELECT * FROM selfassessment_answers"))],
            default=str,
        )
