"""Property-based fuzzing of the ingestion API, generated from its own OpenAPI document.

Positive cases (schema-valid events and batches) and negative ones (anything else) are
posted with a valid token; schemathesis' checks then require no 5xx, a documented status
and a body matching the documented schema.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import (
    negative_data_rejection,
    positive_data_acceptance,
)

#: Rules JSON Schema cannot state (cross-field ones, and a date range, which has no keyword),
#: documented with the API: a schema-valid event that breaks one of these is rightly
#: refused, and with a reason naming it.
CROSS_FIELD_RULES = ("must not exceed", "is required when", "must lie between")


def _events(body: Any) -> list[Any]:
    return body if isinstance(body, list) else [body]


def _value_at(event: Any, path: str) -> Any:
    for part in path.split("."):
        if isinstance(event, list) and part.isdigit():
            event = event[int(part)]
        elif isinstance(event, dict) and part in event:
            event = event[part]
        else:
            return None
    return event


def _generator_artefact(event: Any, error: dict[str, str]) -> bool:
    # Hypothesis builds strings for a pattern with Python's re, where "$" also matches
    # before a final newline: it offers "x\n" for "^[^\s]$". JSON Schema (ECMA-262) and
    # the API's regex engine both refuse it, rightly; that one disagreement is not a bug.
    value = _value_at(event, error["field"])
    return (
        "should match pattern" in error["message"]
        and isinstance(value, str)
        and value.endswith("\n")
    )


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_api_fuzz_answers_every_generated_request_as_documented(
    app: Flask, make_source: Callable[..., str], mode: GenerationMode
) -> None:
    token = make_source("fuzz")
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operation = schema["/api/v1/events"]["POST"]
    statuses: list[int] = []

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=150, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    def run(case: schemathesis.Case) -> None:
        positive = mode is GenerationMode.POSITIVE
        if positive:
            # The token decides the source; a real sender names its own.
            for event in _events(case.body):
                event["source"] = "fuzz"
        # Both acceptance checks judge the request as a whole; a batch is answered item by
        # item with 200, so the same properties are asserted per item below instead.
        response = case.call_and_validate(
            headers={"Authorization": f"Bearer {token}"},
            excluded_checks=[positive_data_acceptance, negative_data_rejection],
        )
        statuses.append(response.status_code)
        if not positive and response.status_code < 300:
            # Something in the body breaks the schema: at least one item must be refused.
            statuses_seen = [r["status"] for r in response.json()["results"]]
            assert "rejected" in statuses_seen, (case.body, response.text)
        if positive:
            assert response.status_code in (200, 201, 409, 422), response.text
            events = _events(case.body)
            for result in response.json()["results"]:
                if result["status"] == "rejected":
                    errors = [
                        e
                        for e in result["errors"]
                        if not _generator_artefact(events[result["index"]], e)
                    ]
                    reasons = " ".join(e["message"] for e in errors)
                    assert not errors or any(r in reasons for r in CROSS_FIELD_RULES), reasons

    run()
    assert statuses
    assert max(statuses) < 500
