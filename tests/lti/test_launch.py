"""Launches from Open edX's own LTI 1.3 platform code, over loopback HTTP."""

from __future__ import annotations

import jwt
import pytest
import redis
import requests
import sqlalchemy as sa

from opes_lti.app import create_app
from opes_lti.core.db import Database
from opes_lti.core.settings import Settings
from opes_lti.lti.launch import pseudonym
from opes_lti.lti.models import Deployment, LaunchRecord, LaunchValue, Platform
from opes_lti.lti.registrations import add_platform
from opes_lti.lti.runtime import store
from opes_lti.lti.views import STATE_COOKIE
from tests.lti.conftest import REDIS_URL, Tool
from tests.support.factories import platform_spec
from tests.support.platform import LaunchResult, OpenEdxPlatform


def test_launch_learner_sees_the_activity_in_italian_by_default(
    tool: Tool, platform: OpenEdxPlatform
) -> None:
    result = platform.launch(role="student")
    assert result.response.status_code == 200, result.response.text
    page = result.response.text
    assert "Attività di prova" in page
    assert "Progettazione sociale" in page
    assert "Studente" in page or "Discente" in page
    assert "Vista della classe" not in page


def test_launch_locale_from_the_platform_chooses_english(
    tool: Tool, platform: OpenEdxPlatform
) -> None:
    result = platform.launch(role="student", locale="en-GB")
    assert result.response.status_code == 200
    assert "Test activity" in result.response.text


def test_launch_instructor_also_sees_the_class_view(tool: Tool, platform: OpenEdxPlatform) -> None:
    result = platform.launch(role="instructor", locale="en")
    assert result.response.status_code == 200
    assert "Class view" in result.response.text
    assert "reporting dashboard" in result.response.text


def test_launch_is_recorded_with_a_pseudonymous_user(tool: Tool, platform: OpenEdxPlatform) -> None:
    platform.launch(role="student", user_id="learner-7")
    with tool.database.sessions() as db:
        record = db.scalar(sa.select(LaunchRecord))
    assert record.user == pseudonym(platform.url, "learner-7")
    assert "learner-7" not in record.user
    assert record.context_id == "course-v1:OPES+PS+2026"
    assert record.message_type == "LtiResourceLinkRequest"
    assert any(r.endswith("#Learner") for r in record.roles)


def _replay(tool: Tool, first: LaunchResult) -> requests.Response:
    # The attacker has the id_token, the state and the browser's state cookie.
    attacker = requests.Session()
    attacker.cookies.set(STATE_COOKIE + first.state, first.state, path="/lti")
    return attacker.post(
        tool.url + "/lti/launch",
        data={"state": first.state, "id_token": first.id_token},
        timeout=10,
    )


def test_launch_replayed_id_token_is_refused_as_its_state_is_spent(
    tool: Tool, platform: OpenEdxPlatform
) -> None:
    first = platform.launch()
    assert first.response.status_code == 200
    again = _replay(tool, first)
    assert again.status_code == 400
    assert "expired_state" in again.text


def test_launch_replayed_id_token_is_refused_by_its_nonce_even_with_a_live_state(
    tool: Tool, platform: OpenEdxPlatform
) -> None:
    # pylti1p3 2.0.0 would accept this: it reads the nonce but never consumes it.
    first = platform.launch()
    assert first.response.status_code == 200
    nonce = jwt.decode(first.id_token, options={"verify_signature": False})["nonce"]
    with tool.database.sessions() as db:
        platform_id = db.scalar(sa.select(LaunchRecord.platform_id))
    with tool.app.app_context():
        store().put(f"state:{first.state}", {"nonce": nonce, "platform": platform_id}, 60)
    again = _replay(tool, first)
    assert again.status_code == 401
    assert "bad_nonce" in again.text
    assert "replayed" in again.text


def test_launch_jwks_publishes_the_tool_key(tool: Tool) -> None:
    keys = requests.get(tool.url + "/lti/jwks", timeout=10).json()["keys"]
    assert len(keys) == 1
    assert {keys[0]["alg"], keys[0]["use"], keys[0]["kty"]} == {"RS256", "sig", "RSA"}
    assert "d" not in keys[0]


@pytest.mark.parametrize("tool", ["redis-state"], indirect=True)
def test_launch_keeps_its_state_in_redis_when_configured(
    tool: Tool, platform: OpenEdxPlatform
) -> None:
    result = platform.launch()
    assert result.response.status_code == 200, result.response.text[-500:]
    with tool.database.sessions() as db:
        assert db.scalar(sa.select(sa.func.count()).select_from(LaunchValue)) == 0
    nonce = jwt.decode(result.id_token, options={"verify_signature": False})["nonce"]
    client = redis.Redis.from_url(REDIS_URL)
    assert client.exists(f"opes:lti:nonce:{platform.url}:{nonce}")
    assert not client.exists(f"opes:lti:state:{result.state}")
    assert _replay(tool, result).status_code == 400


def test_launch_cookie_is_secure_and_cross_site_over_https(
    settings: Settings, database: Database
) -> None:
    app = create_app(
        settings.with_overrides(base_url="https://opes.example.it"), "tool", database=database
    )
    with database.transaction() as db:
        add_platform(db, platform_spec("https://lms.example.it"))
    response = app.test_client().get(
        "/lti/login",
        query_string={
            "iss": "https://lms.example.it",
            "login_hint": "u",
            "client_id": "c",
            "target_link_uri": "https://opes.example.it/lti/launch",
        },
    )
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie
    assert "SameSite=None" in cookie
    assert "HttpOnly" in cookie
    assert "Path=/lti" in cookie


def test_launch_after_the_platform_rotates_its_key_fetches_the_new_key_set(
    tool: Tool, platform: OpenEdxPlatform
) -> None:
    assert platform.launch().response.status_code == 200  # key set now cached
    platform.rotate_key()
    result = platform.launch()
    assert result.response.status_code == 200, result.response.text[-400:]
    assert jwt.get_unverified_header(result.id_token)["kid"] == platform.kid


def test_launch_from_a_platform_removed_elsewhere_is_refused_at_once(
    tool: Tool, platform: OpenEdxPlatform
) -> None:
    assert platform.launch().response.status_code == 200  # this process remembers the login
    with tool.database.engine.begin() as conn:  # as another worker's removal would
        conn.execute(sa.text("DELETE FROM lti_deployments"))
        conn.execute(sa.text("DELETE FROM lti_platforms"))
    result = platform.launch()
    assert result.response.status_code == 403
    assert "<code>unknown_platform</code>" in result.response.text


def test_launch_from_a_platform_disabled_elsewhere_is_refused_at_once(
    tool: Tool, platform: OpenEdxPlatform
) -> None:
    assert platform.launch().response.status_code == 200  # registration now cached
    with tool.database.engine.begin() as conn:  # as 'platforms remove' on another worker
        conn.execute(sa.text("UPDATE lti_platforms SET disabled_at = CURRENT_TIMESTAMP"))
    result = platform.launch()
    assert result.response.status_code == 403
    assert "<code>unknown_platform</code>" in result.response.text
    with tool.database.sessions() as db:
        assert db.scalar(sa.select(sa.func.count()).select_from(LaunchRecord)) == 1


def test_launch_through_a_deployment_removed_elsewhere_is_refused_at_once(
    tool: Tool, platform: OpenEdxPlatform
) -> None:
    assert platform.launch().response.status_code == 200  # registration now cached
    with tool.database.engine.begin() as conn:  # another worker removes the deployment
        conn.execute(sa.text("DELETE FROM lti_deployments"))
    result = platform.launch()
    assert result.response.status_code == 403
    assert "<code>unknown_deployment</code>" in result.response.text
    with tool.database.sessions() as db:
        assert db.scalar(sa.select(sa.func.count()).select_from(LaunchRecord)) == 1


def test_launch_after_the_platform_is_registered_again_elsewhere_asks_to_launch_again(
    tool: Tool, platform: OpenEdxPlatform
) -> None:
    assert platform.launch().response.status_code == 200  # registration now cached
    with tool.database.engine.begin() as conn:  # another worker removes it and adds it back
        old = conn.execute(sa.select(Platform.__table__)).mappings().one()
        conn.execute(sa.text("DELETE FROM lti_deployments"))
        conn.execute(sa.text("DELETE FROM lti_platforms"))
        added = conn.execute(
            sa.insert(Platform).values(dict(old) | {"id": old["id"] + 100})
        ).inserted_primary_key[0]
        conn.execute(sa.insert(Deployment).values(platform_id=added, deployment_id="1"))
    refused = platform.launch()
    assert refused.response.status_code == 403
    assert "launch again" in refused.response.text
    assert platform.launch().response.status_code == 200  # the new registration is read
