"""The tool's API for blocks: site tokens, acting headers, JSON errors, its OpenAPI."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
import schemathesis
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opes_lti.competencies import case
from opes_lti.core.db import Database
from opes_lti.sites import services
from opes_lti.sites.models import Site

ACTOR = hashlib.sha256(b"openedx\x1flearner-1").hexdigest()
GOOD = {services.ACTOR: ACTOR, services.ROLE: "learner", services.COURSE: "course-v1:OPES+T+1"}


def _site(database: Database, name: str) -> str:
    with database.transaction() as db:
        return services.REGISTRY.add(db, name).token


def _get(client: FlaskClient, path: str, token: str | None, **headers: str) -> Any:
    sent = dict(GOOD) | headers
    if token is not None:
        sent["Authorization"] = f"Bearer {token}"
    return client.get(path, headers=sent)


def test_a_site_token_is_shown_once_and_stored_as_a_hash(database: Database) -> None:
    token = _site(database, "openedx-puglia")
    with database.sessions() as db:
        row = db.scalar(sa.select(Site).where(Site.name == "openedx-puglia"))
        assert row is not None
        assert token not in row.token_hash
        assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()


def test_each_site_is_told_who_it_is_and_for_whom_it_acts(
    client: FlaskClient, database: Database
) -> None:
    puglia, lazio = _site(database, "openedx-puglia"), _site(database, "openedx-lazio")
    for token, name in ((puglia, "openedx-puglia"), (lazio, "openedx-lazio")):
        answer = _get(client, "/api/v1/blocks/whoami", token)
        assert answer.status_code == 200
        assert answer.get_json() == {
            "site": name,
            "actor": ACTOR,
            "role": "learner",
            "course": "course-v1:OPES+T+1",
        }


@pytest.mark.parametrize("token", [None, "", "opes_site_forged", "opes_not-a-site-token"])
def test_without_a_valid_token_nothing_is_answered(client: FlaskClient, token: str | None) -> None:
    for path in ("/api/v1/blocks/whoami", "/api/v1/blocks/frameworks"):
        answer = _get(client, path, token)
        assert answer.status_code == 401
        assert answer.get_json()["error"]["code"] == "unauthorized"
        assert "opes-lti sites add" in answer.get_json()["error"]["message"]
        assert answer.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_site_is_refused_at_once(client: FlaskClient, database: Database) -> None:
    token = _site(database, "openedx-old")
    assert _get(client, "/api/v1/blocks/whoami", token).status_code == 200
    with database.transaction() as db:
        services.REGISTRY.revoke(db, "openedx-old")
    assert _get(client, "/api/v1/blocks/whoami", token).status_code == 401


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    header=st.sampled_from([services.ACTOR, services.ROLE, services.COURSE]),
    value=st.one_of(
        st.just(""),
        st.text(max_size=80).filter(lambda v: v.isprintable() and v.isascii()),
        st.text(alphabet="0123456789abcdef", min_size=1, max_size=63),
        st.just("x" * 201),
    ),
)
def test_a_malformed_acting_header_is_400_naming_it(
    app: Flask, database: Database, header: str, value: str
) -> None:
    token = app.extensions.get("test_site") or _site(database, "openedx-fuzz")
    app.extensions["test_site"] = token
    valid = {
        services.ACTOR: lambda v: len(v) == 64 and all(c in "0123456789abcdef" for c in v),
        services.ROLE: lambda v: v in ("learner", "staff"),
        services.COURSE: lambda v: 0 < len(v) <= 200 and " " not in (v[0], v[-1]),
    }[header]
    answer = _get(app.test_client(), "/api/v1/blocks/whoami", token, **{header: value})
    if valid(value):
        assert answer.status_code == 200
    else:
        assert answer.status_code == 400
        assert answer.get_json()["error"]["code"] == "bad_acting_headers"
        assert header in answer.get_json()["error"]["message"]


def test_studio_lists_and_fetches_frameworks_through_the_api(
    client: FlaskClient, database: Database
) -> None:
    token = _site(database, "openedx-studio")
    listed = _get(client, "/api/v1/blocks/frameworks", token).get_json()["frameworks"]
    assert listed
    first = listed[0]
    answer = _get(client, f"/api/v1/blocks/frameworks/{first['id']}", token)
    assert answer.status_code == 200
    assert case.loads(answer.get_data(as_text=True)).id == first["id"]
    missing = _get(client, "/api/v1/blocks/frameworks/none-such", token)
    assert missing.status_code == 404
    assert missing.get_json()["error"]["code"] == "unknown_framework"
    assert _get(client, "/api/v1/blocks/nowhere", token).get_json()["error"]["code"] == "not_found"


def test_every_generated_call_is_answered_as_documented(app: Flask, database: Database) -> None:
    token = _site(database, "openedx-schema")
    schema = schemathesis.openapi.from_wsgi("/api/v1/blocks/openapi.json", app)
    for path in ("/api/v1/blocks/whoami", "/api/v1/blocks/frameworks"):
        operation = schema[path]["GET"]

        @given(case=operation.as_strategy())
        @settings(
            max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        def run(case: schemathesis.Case) -> None:
            response = case.call_and_validate(headers={"Authorization": f"Bearer {token}"})
            assert response.status_code < 500

        run()
