"""Every outcome event becomes a valid xAPI statement carrying what the event said."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from opes_lti.events.domain import parse_event
from opes_lti.events.xapi import to_xapi
from tests.support.factories import PAYLOADS, event_json

SCHEMA = json.loads((Path(__file__).with_name("xapi_statement.schema.json")).read_text())
VALIDATOR = Draft202012Validator(SCHEMA)
BASE = "https://opes.example.it"
EXT = BASE + "/xapi/extensions/"


def _statement(type_: str, **payload: Any) -> dict[str, Any]:
    data = event_json(type_)
    data["payload"].update(payload)
    return to_xapi(parse_event(data), BASE)


def _score_consistent(statement: dict[str, Any]) -> None:
    score = statement.get("result", {}).get("score")
    if score and "raw" in score:
        assert score.get("min", score["raw"]) <= score["raw"] <= score.get("max", score["raw"])


@pytest.mark.parametrize("type_", sorted(PAYLOADS))
def test_xapi_statement_is_valid_for_every_event_type(type_: str) -> None:
    data = event_json(type_)
    statement = to_xapi(parse_event(data), BASE)
    errors = sorted(VALIDATOR.iter_errors(statement), key=lambda e: e.path)
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]
    _score_consistent(statement)
    assert statement["id"] == data["id"]
    assert statement["actor"]["account"] == {"homePage": BASE, "name": data["actor"]["id"]}
    assert statement["context"]["extensions"][EXT + "event-type"] == type_
    assert statement["context"]["contextActivities"]["parent"][0]["id"].endswith("/course/c-101")


def test_xapi_self_assessment_is_a_likert_response() -> None:
    statement = _statement("self_assessment.submitted", level=4, max_level=5, phase="post")
    assert statement["verb"]["id"] == "http://adlnet.gov/expapi/verbs/responded"
    assert statement["object"]["definition"]["interactionType"] == "likert"
    assert [s["id"] for s in statement["object"]["definition"]["scale"]] == list("012345")
    assert statement["result"]["response"] == "4"
    assert statement["result"]["score"]["scaled"] == 0.8
    assert statement["context"]["extensions"][EXT + "phase"] == "post"


@pytest.mark.parametrize(
    "type_", ["group_exercise.submitted", "group_exercise.reviewed", "group_exercise.graded"]
)
def test_xapi_group_work_names_the_team(type_: str) -> None:
    statement = _statement(type_)
    assert statement["context"]["team"] == {
        "objectType": "Group",
        "account": {"homePage": BASE, "name": "g-7"},
    }


def test_xapi_grade_is_scaled() -> None:
    statement = _statement("group_exercise.graded", score=15, max_score=30)
    assert statement["verb"]["id"] == "http://adlnet.gov/expapi/verbs/scored"
    assert statement["result"]["score"] == {"raw": 15, "min": 0, "max": 30, "scaled": 0.5}


@pytest.mark.parametrize(
    "type_",
    [
        "community.practice_shared",
        "community.partnership_recorded",
        "community.intervention_recorded",
    ],
)
def test_xapi_community_contributions_are_posted(type_: str) -> None:
    statement = _statement(type_)
    assert statement["verb"]["id"] == "https://w3id.org/xapi/acrossx/verbs/posted"
    assert statement["context"]["contextActivities"]["grouping"][0]["id"].endswith(
        "/community/inclusione"
    )


@pytest.mark.parametrize(
    ("record", "kind"),
    [
        ("practice", "resource"),
        ("attendance", "meeting"),
        ("partnership", "partnership"),
        ("intervention", "intervention"),
    ],
)
def test_xapi_a_withdrawn_record_is_retracted_on_the_record_s_own_activity(
    record: str, kind: str
) -> None:
    statement = _statement("community.record_withdrawn", record=record, id="r-1")
    assert statement["verb"]["id"] == "http://activitystrea.ms/schema/1.0/retract"
    assert statement["object"]["id"].endswith("/r-1")
    assert statement["object"]["definition"]["type"].endswith(kind)


def test_xapi_activity_ids_quote_what_senders_chose() -> None:
    statement = _statement("community.practice_shared", practice="p 1/2?x")
    assert statement["object"]["id"].endswith("/practice/inclusione/p%201%2F2%3Fx")
    assert not list(VALIDATOR.iter_errors(statement))
