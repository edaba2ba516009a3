"""A launch spends its state and nonce only once its token is proven, and is recorded
only once the tool accepts it."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opes_lti.lti.models import LaunchRecord
from tests.lti import minted
from tests.lti.conftest import Tool
from tests.lti.minted import CLAIM
from tests.support.platform import OpenEdxPlatform, private_pem

_OTHER_KEY = private_pem()


def _records(tool: Tool) -> int:
    with tool.database.sessions() as db:
        return db.scalar(sa.select(sa.func.count()).select_from(LaunchRecord)) or 0


# Ways a token carrying the person's own nonce, posted with their state, can be wrong.
Fault = Callable[[OpenEdxPlatform, dict[str, Any]], str]


def _signed_by_another_key(platform: OpenEdxPlatform, body: dict[str, Any]) -> str:
    return minted.sign(_Keyed(platform, _OTHER_KEY), body)  # type: ignore[arg-type]


def _tampered(platform: OpenEdxPlatform, body: dict[str, Any]) -> str:
    head, _, signature = minted.sign(platform, body).split(".")
    forged = minted.sign(platform, body | {"sub": "someone-else"}).split(".")[1]
    return ".".join([head, forged, signature])


def _mutated(**changes: Any) -> Fault:
    def fault(platform: OpenEdxPlatform, body: dict[str, Any]) -> str:
        return minted.sign(platform, body | changes)

    return fault


def _expired(platform: OpenEdxPlatform, body: dict[str, Any]) -> str:
    return minted.sign(platform, body | {"exp": int(time.time()) - 3600})


class _Keyed:
    """The platform as seen by a forger: its kid, another private key."""

    def __init__(self, platform: OpenEdxPlatform, pem: str) -> None:
        self.kid, self.pem = platform.kid, pem


FAULTS: dict[str, Fault] = {
    "another key": _signed_by_another_key,
    "tampered body": _tampered,
    "expired": _expired,
    "another audience": _mutated(aud="other-tool", azp="other-tool"),
    "azp of another tool": _mutated(azp="other-tool"),
    "target elsewhere": _mutated(**{CLAIM + "target_link_uri": "https://example.org/launch"}),
}


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(faults=st.lists(st.sampled_from(sorted(FAULTS)), min_size=1, max_size=3))
def test_a_bad_token_spends_neither_the_state_nor_the_nonce(
    tool: Tool, platform: OpenEdxPlatform, faults: list[str]
) -> None:
    browser, query = minted.login(platform)
    body = minted.claims(platform, query["nonce"])
    for name in faults:  # an attacker may try several before the person's launch arrives
        refused = minted.post(tool, browser, query["state"], FAULTS[name](platform, body))
        assert 400 <= refused.status_code < 500, (name, refused.text[-300:])
    genuine = minted.post(tool, browser, query["state"], minted.sign(platform, body))
    assert genuine.status_code == 200, genuine.text[-400:]
    assert "Attività di prova" in genuine.text or "Test activity" in genuine.text
    # And spent now: the very same launch cannot be posted again (its cookie is gone too).
    again = minted.post(tool, browser, query["state"], minted.sign(platform, body))
    assert again.status_code in (400, 401)
    assert "<code>expired_state</code>" in again.text or "<code>state_mismatch</code>" in again.text


INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
#: A launch the tool cannot serve, and the refusal it gets.
UNSERVED: dict[str, tuple[str, dict[str, Any]]] = {
    "no activity": ("no_activity", {CLAIM + "custom": {}}),
    "unknown activity": ("unknown_activity", {CLAIM + "custom": {"activity": "nope"}}),
    "unknown framework": (
        "bad_setup",
        {CLAIM + "custom": {"activity": "selfassessment", "framework": "no-such-framework"}},
    ),
    "picker asked by a learner": (
        "not_designer",
        {
            CLAIM + "message_type": "LtiDeepLinkingRequest",
            "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings": {
                "deep_link_return_url": "http://127.0.0.1:9/return",
                "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["iframe"],
            },
        },
    ),
}


@pytest.mark.parametrize("case", sorted(UNSERVED))
def test_a_launch_the_tool_cannot_serve_is_refused_and_not_recorded(
    tool: Tool, platform: OpenEdxPlatform, case: str
) -> None:
    browser, query = minted.login(platform)
    code, changes = UNSERVED[case]
    body = minted.claims(platform, query["nonce"]) | changes
    if case == "picker asked by a learner":
        del body[CLAIM + "resource_link"]
    response = minted.post(tool, browser, query["state"], minted.sign(platform, body))
    assert 400 <= response.status_code < 500, response.text[-400:]
    assert f"<code>{code}</code>" in response.text
    assert "Traceback" not in response.text
    assert _records(tool) == 0


def test_an_accepted_launch_is_recorded_once(tool: Tool, platform: OpenEdxPlatform) -> None:
    browser, query = minted.login(platform)
    body = minted.claims(platform, query["nonce"])
    response = minted.post(tool, browser, query["state"], minted.sign(platform, body))
    assert response.status_code == 200, response.text[-400:]
    assert _records(tool) == 1
