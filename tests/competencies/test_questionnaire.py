"""The questionnaire both faces drive: screens, answers, progress, result, events, chart."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest

from opes_lti.competencies import builtin, chart
from opes_lti.competencies.questionnaire import (
    AnswerError,
    Setup,
    completion_score,
    events,
    is_complete,
    parse_areas,
    progress,
    record,
    result,
    resume_at,
)
from opes_lti.events.domain import Actor, Context, parse_event

FRAMEWORK = builtin.load(builtin.DEFAULT)
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


def test_screens_one_competence_or_one_area_per_page() -> None:
    by_competency = Setup(FRAMEWORK, display="competency")
    by_area = Setup(FRAMEWORK, display="area")
    total = len(by_competency.codes())
    assert len(by_competency.screens()) == total
    assert [s.area.code for s in by_area.screens()] == ["PS", "GO", "PA", "RI"]
    assert sum(len(s.competencies) for s in by_area.screens()) == total


def test_areas_chosen_by_the_designer_limit_the_questions() -> None:
    setup = Setup(FRAMEWORK, areas=parse_areas("PA, XX,RI", FRAMEWORK))
    assert setup.areas == ("PA", "RI")
    assert {code.split(".")[0] for code in setup.codes()} == {"PA", "RI"}
    assert parse_areas(None, FRAMEWORK) == ()


def test_answers_saved_as_the_learner_goes_and_resumed_at_the_first_gap() -> None:
    setup = Setup(FRAMEWORK, display="area")
    answers = record(setup, {}, {code: 3 for code in setup.codes() if code.startswith("PS")})
    assert resume_at(setup, answers) == 1
    answers = record(setup, answers, {"GO.1": "4"})
    assert answers["GO.1"] == 4
    assert progress(setup, answers) == (6, len(setup.codes()))
    answers = record(setup, answers, {"GO.1": ""})  # taken back
    assert "GO.1" not in answers
    assert not is_complete(setup, answers)


@pytest.mark.parametrize(
    "given", [{"XX.9": 2}, {"PS.1": 0}, {"PS.1": 6}, {"PS.1": "tre"}, {"PS.1": True}]
)
def test_an_answer_that_does_not_fit_changes_nothing(given: dict[str, object]) -> None:
    setup = Setup(FRAMEWORK, areas=("PS",))
    before = {"PS.2": 2}
    with pytest.raises(AnswerError):
        record(setup, before, {"PS.3": 4, **given})
    assert before == {"PS.2": 2}


def test_a_competence_outside_the_chosen_areas_is_refused() -> None:
    with pytest.raises(AnswerError, match="not asked"):
        record(Setup(FRAMEWORK, areas=("PS",)), {}, {"GO.1": 2})


def test_result_against_the_role_target_with_growth_since_pre() -> None:
    setup = Setup(FRAMEWORK, phase="post", areas=("PS",))
    pre = dict.fromkeys(setup.codes(), 2)
    post = dict.fromkeys(setup.codes(), 4)
    rows = result(setup, post, "volunteer", pre)
    first = rows[0]
    assert first.competency.code == "PS.1"
    assert first.target == 2  # a volunteer's target for needs analysis
    assert first.reaches_target
    assert first.difference == 2
    assert first.gain(FRAMEWORK.max_level) == pytest.approx(2 / 3)
    assert result(setup, post, None)[0].target is None


def test_events_one_per_competence_valid_and_stable() -> None:
    setup = Setup(FRAMEWORK, phase="pre", areas=("PA",))
    answers = {"PA.1": 2, "PA.2": 3}
    actor = Actor(id="learner-1", role="manager", region="16")
    context = Context(platform="lti", course="c1", activity="rl-1")
    made = events(setup, answers, "sub-1", actor, context, "tool", NOW)
    assert [e.payload.competency for e in made] == ["PA.1", "PA.2"]
    assert {e.payload.framework_version for e in made} == {FRAMEWORK.version}
    assert {e.payload.phase for e in made} == {"pre"}
    assert made[0].payload.area == "PA"
    for event in made:  # each passes the reporting service's own validation
        assert parse_event(event.model_dump(mode="json")) == event
    again = events(setup, answers, "sub-1", actor, context, "tool", NOW)
    assert [e.id for e in again] == [e.id for e in made]
    other = events(setup, answers, "sub-2", actor, context, "tool", NOW)
    assert not {e.id for e in other} & {e.id for e in made}


def test_organisational_events_carry_the_organisation_or_refuse() -> None:
    setup = Setup(builtin.load("opes-organizzazione"), areas=("GV",))
    context = Context(platform="lti")
    answers = {"GV.1": 3}
    with pytest.raises(AnswerError, match="organisation"):
        events(setup, answers, "s", Actor(id="m-1", role="manager"), context, "tool", NOW)
    actor = Actor(id="m-1", role="manager", organisation="aps-lecce")
    (event,) = events(setup, answers, "s", actor, context, "tool", NOW)
    assert event.payload.scope == "organisation"
    assert event.payload.organisation == "aps-lecce"


def test_completion_score_is_the_share_answered() -> None:
    setup = Setup(FRAMEWORK, areas=("PA",))
    assert completion_score(setup, {}) == 0
    assert completion_score(setup, {"PA.1": 1}) == 0.5
    assert completion_score(setup, {"PA.1": 1, "PA.2": 5}) == 1


def test_chart_is_well_formed_labelled_and_escapes_text() -> None:
    setup = Setup(FRAMEWORK, phase="post", areas=("PA",))
    rows = result(setup, {"PA.1": 4, "PA.2": 2}, "manager", {"PA.1": 1})
    labels = chart.Labels(
        "Il mio profilo <b>", "Livelli & obiettivi", "Livello", "Prima", "Obiettivo"
    )
    svg = chart.bars(rows, FRAMEWORK.max_level, "it", labels)
    root = ET.fromstring(svg)  # noqa: S314 - our own output; well-formed means escaped
    ns = "{http://www.w3.org/2000/svg}"
    assert root.get("role") == "img"
    assert root.find(f"{ns}title").text == "Il mio profilo <b>"
    assert root.find(f"{ns}desc").text == "Livelli & obiettivi"
    level_bars = [r for r in root.iter(f"{ns}rect") if r.get("height") == "14"]
    pre_bars = [r for r in root.iter(f"{ns}rect") if r.get("height") == "8"]
    assert len(level_bars) == 2
    assert len(pre_bars) == 1  # PA.2 had no pre answer
    widths = [float(r.get("width")) for r in level_bars]
    assert widths[0] == pytest.approx(2 * widths[1])  # 4 against 2
    assert "Obiettivo: 4" in svg
