"""The outcome-event schema: every type validates, every bad field is named."""

from __future__ import annotations

import copy
import json
import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opes_lti.events import domain
from opes_lti.events.domain import EARLIEST, LATEST, InvalidEvent, parse_event
from opes_lti.regions import REGIONS
from tests.support.factories import PAYLOADS, event_json


@pytest.mark.parametrize("type_", sorted(PAYLOADS))
def test_domain_parses_every_event_type(type_: str) -> None:
    event = domain.parse_event(event_json(type_))
    assert event.type == type_
    assert domain.event_to_json(event)["payload"] == domain.event_to_json(event)["payload"] | dict(
        PAYLOADS[type_]
    )


def test_domain_covers_every_declared_type() -> None:
    assert set(domain.EVENT_TYPES) == set(PAYLOADS)


def test_domain_region_codes_match_istat_list() -> None:
    assert set(domain.RegionCode.__args__) == set(REGIONS)


def _set(data: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    data = copy.deepcopy(data)
    *parents, leaf = path.split(".")
    target = data
    for part in parents:
        target = target[part]
    if value is _DELETE:
        del target[leaf]
    else:
        target[leaf] = value
    return data


_DELETE = object()

BAD_FIELDS = [
    # (type, field path, bad value, field the error must name, words in the reason)
    ("self_assessment.submitted", "id", "not-a-uuid", "id", "uuid"),
    ("self_assessment.submitted", "id", _DELETE, "id", "required"),
    ("self_assessment.submitted", "type", "self_assessment.deleted", "type", "does not match"),
    ("self_assessment.submitted", "schema_version", "2.0", "schema_version", "pattern"),
    ("self_assessment.submitted", "occurred_at", "2026-05-04T10:30:00", "occurred_at", "timezone"),
    ("self_assessment.submitted", "occurred_at", "yesterday", "occurred_at", "datetime"),
    (
        "self_assessment.submitted",
        "occurred_at",
        "9999-12-31T23:00:00-05:00",
        "occurred_at",
        "between 2000 and 2099",
    ),
    (
        "self_assessment.submitted",
        "occurred_at",
        "0001-01-01T00:30:00+01:00",
        "occurred_at",
        "between 2000 and 2099",
    ),
    ("self_assessment.submitted", "source", "", "source", "at least 1"),
    ("self_assessment.submitted", "actor.id", "mario rossi", "actor.id", "pattern"),
    ("self_assessment.submitted", "actor.role", "president", "actor.role", "manager"),
    ("self_assessment.submitted", "actor.region", "21", "actor.region", "01"),
    ("self_assessment.submitted", "context.platform", "canvas", "context.platform", "moodle"),
    ("self_assessment.submitted", "context.course", " padded ", "context.course", "pattern"),
    ("self_assessment.submitted", "payload.level", 11, "payload.level", "less than or equal"),
    ("self_assessment.submitted", "payload.level", "three", "payload.level", "integer"),
    ("self_assessment.submitted", "payload.level", "3", "payload.level", "integer"),
    ("self_assessment.submitted", "payload.level", True, "payload.level", "integer"),
    ("self_assessment.submitted", "payload.level", 3.5, "payload.level", "integer"),
    ("self_assessment.submitted", "payload.level", 3.0, None, None),  # JSON's 3.0 is 3
    ("group_exercise.graded", "payload.score", "12", "payload.score", "number"),
    ("self_assessment.submitted", "payload.phase", "during", "payload.phase", "pre"),
    ("self_assessment.submitted", "payload.competency", _DELETE, "payload.competency", "required"),
    ("self_assessment.submitted", "payload.extra", 1, "payload.extra", "not permitted"),
    ("self_assessment.submitted", "payload.level", 5, None, None),  # valid edge: level == max
    ("group_exercise.submitted", "payload.members", 0, "payload.members", "greater than"),
    ("group_exercise.reviewed", "payload.reviewer", "robot", "payload.reviewer", "peer"),
    ("group_exercise.graded", "payload.score", -1, "payload.score", "greater than"),
    ("group_exercise.graded", "payload.max_score", 0, "payload.max_score", "greater than"),
    ("group_exercise.graded", "payload.score", float("nan"), "payload.score", "finite"),
    ("community.joined", "payload.community", _DELETE, "payload.community", "required"),
    ("community.practice_shared", "payload.title", "a\nb", "payload.title", "pattern"),
    ("community.meeting_attended", "payload.mode", "hybrid", "payload.mode", "online"),
    (
        "community.partnership_recorded",
        "payload.partner_kind",
        "firm",
        "payload.partner_kind",
        "public_administration",
    ),
    ("community.intervention_recorded", "payload.regions", [], "payload.regions", "at least 1"),
    ("learner.profile_updated", "payload.region", "Puglia", "payload.region", "16"),
]


@pytest.mark.parametrize(("type_", "path", "value", "field", "reason"), BAD_FIELDS)
def test_domain_names_the_bad_field_and_why(
    type_: str, path: str, value: Any, field: str | None, reason: str | None
) -> None:
    data = _set(event_json(type_), path, value)
    if field is None:
        domain.parse_event(data)
        return
    with pytest.raises(domain.InvalidEvent) as info:
        domain.parse_event(data)
    named = {e.field: e.message for e in info.value.errors}
    assert field in named, named
    assert reason.lower() in named[field].lower(), named[field]


@pytest.mark.parametrize(
    ("payload_change", "message"),
    [
        ({"level": 5, "max_level": 4}, "level must not exceed max_level"),
        ({"scope": "organisation"}, "organisation is required"),
    ],
)
def test_domain_self_assessment_cross_field_rules(
    payload_change: dict[str, Any], message: str
) -> None:
    data = event_json()
    data["payload"].update(payload_change)
    with pytest.raises(domain.InvalidEvent, match=message):
        domain.parse_event(data)


def test_domain_grade_above_max_is_refused() -> None:
    data = event_json("group_exercise.graded")
    data["payload"]["score"] = 31
    with pytest.raises(domain.InvalidEvent, match="score must not exceed max_score"):
        domain.parse_event(data)


@pytest.mark.parametrize("not_an_object", [None, 3, "event", [1, 2]])
def test_domain_non_object_is_refused(not_an_object: Any) -> None:
    with pytest.raises(domain.InvalidEvent) as info:
        domain.parse_event(not_an_object)
    assert info.value.errors[0].field == "(event)"


def test_domain_same_instant_in_another_offset_has_same_content_hash() -> None:
    data = event_json()
    event_utc = domain.parse_event(data)
    event_rome = domain.parse_event(dict(data, occurred_at="2026-05-04T12:30:00+02:00"))
    assert domain.content_hash(event_utc) == domain.content_hash(event_rome)
    assert event_rome.occurred_at.utcoffset().total_seconds() == 0


def test_domain_content_hash_changes_with_content() -> None:
    data = event_json()
    other = copy.deepcopy(data)
    other["payload"]["level"] = 4
    assert domain.content_hash(domain.parse_event(data)) != domain.content_hash(
        domain.parse_event(other)
    )


def test_domain_canonical_json_round_trips() -> None:
    event = domain.parse_event(event_json("community.intervention_recorded"))
    data, _digest = domain.canonical(event)
    assert domain.parse_event(data) == event
    assert data["id"] == str(event.id)
    assert uuid.UUID(data["id"]) == event.id


def test_domain_json_schema_points_into_openapi_components() -> None:
    schema = domain.json_schema()
    assert schema["discriminator"]["propertyName"] == "type"
    refs = [option["$ref"] for option in schema["oneOf"]]
    assert all(ref.startswith("#/components/schemas/") for ref in refs)
    assert len(refs) == len(domain.EVENT_TYPES)


def test_domain_json_schema_uses_only_json_schema_keywords() -> None:
    text = json.dumps(domain.json_schema())
    for pydantic_only in ('"ge"', '"le"', '"gt"', '"lt"'):
        assert pydantic_only not in text


@pytest.mark.parametrize("value", ["inclusione\n", "\ufeffinclusione", "inclusione\u00a0", " x"])
def test_domain_identifiers_refuse_blanks_at_either_end(value: str) -> None:
    data = event_json("community.joined")
    data["payload"]["community"] = value
    with pytest.raises(domain.InvalidEvent) as info:
        domain.parse_event(data)
    assert info.value.errors[0].field == "payload.community"


@given(
    instant=st.datetimes(
        min_value=datetime(1999, 12, 30), max_value=datetime(2100, 1, 2), timezones=st.just(UTC)
    ),
    offset_minutes=st.integers(-14 * 60, 14 * 60),
)
def test_the_date_range_is_checked_on_the_utc_instant(
    instant: datetime, offset_minutes: int
) -> None:
    """``2000-01-01T00:00:00+14:00`` is 1999 in UTC: refused, whatever offset writes it."""
    written = instant.astimezone(timezone(timedelta(minutes=offset_minutes)))
    data = event_json(occurred_at=written.isoformat())
    inside = EARLIEST <= instant <= LATEST
    if inside:
        assert parse_event(data).occurred_at == instant
    else:
        with pytest.raises(InvalidEvent):
            parse_event(data)
