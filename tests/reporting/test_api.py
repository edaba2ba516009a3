"""The ingestion API: authentication, per-item answers, deduplication, limits, bad input."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from opes_lti.core.db import Database
from opes_lti.reporting.models import Source, StoredEvent
from tests.support.factories import PAYLOADS, event_json

URL = "/api/v1/events"


def post(client: FlaskClient, token: str | None, body: Any, **kwargs: Any) -> Any:
    headers = {"Accept-Language": "en"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    headers |= kwargs.pop("headers", {})
    return client.post(URL, json=body, headers=headers, **kwargs)


def stored(database: Database) -> list[StoredEvent]:
    with database.sessions() as db:
        return list(db.scalars(sa.select(StoredEvent)))


# --- authentication ---------------------------------------------------------------------


def test_api_without_token_is_401_and_stores_nothing(
    client: FlaskClient, database: Database
) -> None:
    response = post(client, None, event_json())
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "token" in response.json["error"]["message"]
    assert stored(database) == []


def test_api_unknown_token_is_401(client: FlaskClient, make_source: Callable[..., str]) -> None:
    make_source()
    assert post(client, "opes_not-a-real-token", event_json()).status_code == 401


def test_api_revoked_token_is_401(
    client: FlaskClient, make_source: Callable[..., str], database: Database
) -> None:
    token = make_source()
    assert post(client, token, event_json()).status_code == 201
    from opes_lti.reporting.sources import revoke_source

    with database.transaction() as db:
        revoke_source(db, "tool-a")
    assert post(client, token, event_json()).status_code == 401


def test_api_records_last_use_of_a_token(
    client: FlaskClient, make_source: Callable[..., str], database: Database
) -> None:
    token = make_source()
    post(client, token, event_json())
    with database.sessions() as db:
        assert db.scalar(sa.select(Source.last_used_at)) is not None


def test_api_stamps_events_with_the_authenticated_source(
    client: FlaskClient, make_source: Callable[..., str], database: Database
) -> None:
    token_a = make_source("tool-a")
    make_source("tool-b")
    spoofed = event_json(source="tool-b")
    response = post(client, token_a, [event_json(), spoofed])
    assert [r["status"] for r in response.json["results"]] == ["accepted", "rejected"]
    assert response.json["results"][1]["errors"][0]["field"] == "source"
    with database.sessions() as db:
        names = db.scalars(sa.select(Source.name).join(StoredEvent)).all()
    assert names == ["tool-a"]


# --- per-item results -------------------------------------------------------------------


def test_api_single_event_is_201_and_stored_with_typed_columns(
    client: FlaskClient, make_source: Callable[..., str], database: Database
) -> None:
    data = event_json()
    response = post(client, make_source(), data)
    assert response.status_code == 201
    assert response.json["results"] == [{"index": 0, "id": data["id"], "status": "accepted"}]
    [row] = stored(database)
    assert (row.type, row.region, row.organisation, row.course) == (
        "self_assessment.submitted",
        "16",
        "aps-12",
        # The course with its platform instance: another site's c-101 is another course.
        "c-101 @ https://moodle.example.it",
    )
    assert (row.framework, row.competency, row.phase, row.level) == (
        "opes-progettazione",
        "needs-analysis",
        "pre",
        3,
    )
    assert row.envelope["payload"]["level"] == 3
    assert row.envelope["id"] == data["id"]


def test_api_community_events_fill_the_community_column(
    client: FlaskClient, make_source: Callable[..., str], database: Database
) -> None:
    post(client, make_source(), event_json("community.practice_shared"))
    assert stored(database)[0].community == "inclusione"


def test_api_organisation_scope_self_assessment_is_filed_under_that_organisation(
    client: FlaskClient, make_source: Callable[..., str], database: Database
) -> None:
    data = event_json()
    data["payload"] |= {"scope": "organisation", "organisation": "odv-3"}
    post(client, make_source(), data)
    assert stored(database)[0].organisation == "odv-3"


def test_api_batch_answers_item_by_item_and_one_bad_item_sinks_nothing(
    client: FlaskClient, make_source: Callable[..., str], database: Database
) -> None:
    good = [event_json(t) for t in sorted(PAYLOADS)]
    bad = event_json()
    bad["payload"]["level"] = 99
    batch = [good[0], bad, *good[1:], "not an event"]
    response = post(client, make_source(), batch)
    assert response.status_code == 200
    results = response.json["results"]
    assert [r["index"] for r in results] == list(range(len(batch)))
    assert results[1]["status"] == "rejected"
    assert results[1]["errors"][0]["field"] == "payload.level"
    assert results[-1] == {
        "index": len(batch) - 1,
        "id": None,
        "status": "rejected",
        "errors": [{"field": "(event)", "message": results[-1]["errors"][0]["message"]}],
    }
    assert response.json["summary"] == {
        "accepted": len(good),
        "duplicate": 0,
        "conflict": 0,
        "rejected": 2,
    }
    assert {str(r.id) for r in stored(database)} == {e["id"] for e in good}


def test_api_same_event_twice_is_a_duplicate_and_stored_once(
    client: FlaskClient, make_source: Callable[..., str], database: Database
) -> None:
    token = make_source()
    data = event_json()
    assert post(client, token, data).status_code == 201
    again = post(client, token, data)
    assert again.status_code == 200
    assert again.json["results"][0]["status"] == "duplicate"
    # The same instant written in another offset is the same content.
    assert (
        post(client, token, dict(data, occurred_at="2026-05-04T12:30:00+02:00")).json["results"][0][
            "status"
        ]
        == "duplicate"
    )
    assert len(stored(database)) == 1


def test_api_same_id_other_content_is_a_conflict_and_keeps_the_first(
    client: FlaskClient, make_source: Callable[..., str], database: Database
) -> None:
    token = make_source()
    data = event_json()
    post(client, token, data)
    changed = json.loads(json.dumps(data))
    changed["payload"]["level"] = 5
    response = post(client, token, changed)
    assert response.status_code == 409
    assert response.json["results"][0]["status"] == "conflict"
    assert response.json["results"][0]["errors"][0]["field"] == "id"
    assert stored(database)[0].level == 3


def test_api_duplicates_and_conflicts_inside_one_batch(
    client: FlaskClient, make_source: Callable[..., str], database: Database
) -> None:
    data = event_json()
    changed = json.loads(json.dumps(data))
    changed["payload"]["level"] = 1
    response = post(client, make_source(), [data, data, changed])
    assert [r["status"] for r in response.json["results"]] == ["accepted", "duplicate", "conflict"]
    assert len(stored(database)) == 1


def test_api_another_source_reusing_an_id_is_a_conflict(
    client: FlaskClient, make_source: Callable[..., str], database: Database
) -> None:
    data = event_json()
    post(client, make_source("tool-a"), data)
    response = post(client, make_source("tool-b"), dict(data, source="tool-b"))
    assert response.json["results"][0]["status"] == "conflict"
    assert "another source" in response.json["results"][0]["errors"][0]["message"]


def test_api_single_invalid_event_is_422_naming_the_field(
    client: FlaskClient, make_source: Callable[..., str], database: Database
) -> None:
    data = event_json()
    data["actor"]["region"] = "99"
    response = post(client, make_source(), data)
    assert response.status_code == 422
    assert response.json["results"][0]["errors"][0]["field"] == "actor.region"
    assert stored(database) == []


# --- limits and malformed requests ------------------------------------------------------


def test_api_batch_over_the_item_limit_is_413(
    client: FlaskClient, make_source: Callable[..., str], database: Database
) -> None:
    response = post(client, make_source(), [event_json() for _ in range(51)])
    assert response.status_code == 413
    assert "at most 50" in response.json["error"]["message"]
    assert stored(database) == []


def test_api_body_over_the_byte_limit_is_413(
    client: FlaskClient, make_source: Callable[..., str]
) -> None:
    big = event_json()
    big["payload"]["framework"] = "x" * 250_000
    response = post(client, make_source(), big)
    assert response.status_code == 413
    assert response.json["error"]["code"] == "body_too_large"


@pytest.mark.parametrize(
    "body",
    [b" " * 300_000, b"[" + b'{"a": 1},' * 40_000 + b'{"a": 1}]'],
    ids=["blank", "json-array"],
)
def test_api_body_over_the_limit_without_content_length_is_413(
    client: FlaskClient, make_source: Callable[..., str], body: bytes
) -> None:
    # A chunked upload announces no length: the limit must hold while reading, and a
    # body cut at the limit is not parsed (it would read as malformed JSON, a 400).
    response = client.post(
        URL,
        input_stream=io.BytesIO(body),
        headers={"Authorization": f"Bearer {make_source()}", "Content-Type": "application/json"},
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert response.status_code == 413
    assert response.json["error"]["code"] == "body_too_large"


def test_api_wrong_content_type_is_415(
    client: FlaskClient, make_source: Callable[..., str]
) -> None:
    response = client.post(
        URL,
        data=json.dumps(event_json()),
        headers={"Authorization": f"Bearer {make_source()}", "Content-Type": "text/plain"},
    )
    assert response.status_code == 415
    assert "application/json" in response.json["error"]["message"]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"{not json", "malformed_json"),
        (b"\xff\xfe", "malformed_json"),
        (b"", "malformed_json"),
        (b"[]", "empty_batch"),
        (b"42", "not_an_event"),
        (b"null", "not_an_event"),
    ],
)
def test_api_malformed_body_is_400_with_a_message(
    client: FlaskClient, make_source: Callable[..., str], body: bytes, code: str
) -> None:
    response = client.post(
        URL,
        data=body,
        headers={"Authorization": f"Bearer {make_source()}", "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json["error"]["code"] == code
    assert response.json["error"]["message"]


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("it", "È richiesto un token"),
        ("en", "A valid bearer token"),
        (None, "È richiesto un token"),
    ],
)
def test_api_errors_speak_the_asked_language_italian_first(
    client: FlaskClient, language: str | None, words: str
) -> None:
    headers = {"Accept-Language": language} if language else {}
    response = client.post(URL, json=event_json(), headers=headers)
    assert response.status_code == 401
    assert words in response.json["error"]["message"]


def test_api_wrong_method_is_json_405(client: FlaskClient) -> None:
    response = client.get(URL)
    assert response.status_code == 405
    assert response.json["error"]["code"] == "method_not_allowed"


def test_api_openapi_document_describes_the_limits(client: FlaskClient) -> None:
    document = client.get("/api/v1/openapi.json").json
    body = document["paths"]["/api/v1/events"]["post"]["requestBody"]
    batch = body["content"]["application/json"]["schema"]["oneOf"][1]
    assert batch["maxItems"] == 50
    assert "SelfAssessmentPayload" in document["components"]["schemas"]
