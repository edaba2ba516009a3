"""Malformed launches, minted with PyJWT: the certification guide's cases and more.

Each starts with a real login at the tool (so state, cookie and nonce are genuine), then
posts an id_token that is wrong in exactly one way. Every refusal is a page saying what
was wrong, with the right status, never a 500 and never a stack trace.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import jwt
import pytest
import requests
import sqlalchemy as sa

from opes_lti.lti.launch import LEEWAY
from opes_lti.lti.models import LaunchRecord
from opes_lti.lti.registrations import PlatformSpec, add_platform
from tests.lti import minted
from tests.lti.conftest import Tool
from tests.lti.minted import CLAIM
from tests.support.platform import OpenEdxPlatform, private_pem


def _post(
    tool: Tool,
    platform: OpenEdxPlatform,
    mutate: Callable[[dict[str, Any], dict[str, Any]], str | None],
) -> requests.Response:
    browser, query = minted.login(platform)
    claims = minted.claims(platform, query["nonce"])
    headers: dict[str, Any] = {"kid": platform.kid}
    token = mutate(claims, headers)
    if token is None:
        token = jwt.encode(claims, platform.pem, algorithm="RS256", headers=headers)
    return minted.post(tool, browser, query["state"], token)


def _drop(claim: str) -> Callable[[dict[str, Any], dict[str, Any]], None]:
    def mutate(claims: dict[str, Any], _headers: dict[str, Any]) -> None:
        del claims[claim]

    return mutate


def _set(claim: str, value: Any) -> Callable[[dict[str, Any], dict[str, Any]], None]:
    def mutate(claims: dict[str, Any], _headers: dict[str, Any]) -> None:
        claims[claim] = value

    return mutate


def _no_kid(claims: dict[str, Any], headers: dict[str, Any]) -> str:
    return jwt.encode(claims, _platform_pem[0], algorithm="RS256")


def _wrong_kid(claims: dict[str, Any], headers: dict[str, Any]) -> None:
    headers["kid"] = "not-a-key-of-this-platform"


def _other_key(claims: dict[str, Any], headers: dict[str, Any]) -> str:
    return jwt.encode(claims, private_pem(), algorithm="RS256", headers=headers)


def _hs256(claims: dict[str, Any], headers: dict[str, Any]) -> str:
    return jwt.encode(
        claims, "a shared secret of thirty-two bytes", algorithm="HS256", headers=headers
    )


def _no_resource_link_id(claims: dict[str, Any], _headers: dict[str, Any]) -> None:
    claims[CLAIM + "resource_link"] = {"title": "no id"}


def _tampered_payload(claims: dict[str, Any], headers: dict[str, Any]) -> str:
    # A learner turned into an instructor, the platform's signature kept.
    signed = jwt.encode(claims, _platform_pem[0], algorithm="RS256", headers=headers)
    head, _, signature = signed.split(".")
    claims[CLAIM + "roles"] = ["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"]
    forged = jwt.encode(claims, _platform_pem[0], algorithm="RS256", headers=headers)
    return ".".join([head, forged.split(".")[1], signature])


def _unsigned(claims: dict[str, Any], headers: dict[str, Any]) -> str:
    signed = jwt.encode(claims, _platform_pem[0], algorithm="RS256", headers=headers)
    return signed.rsplit(".", 1)[0] + "."


def _standard_base64_char(claims: dict[str, Any], headers: dict[str, Any]) -> str:
    signed = jwt.encode(claims, _platform_pem[0], algorithm="RS256", headers=headers)
    head, payload, signature = signed.split(".")
    return ".".join([head, payload[:8] + "+" + payload[9:], signature])


def _array_payload(claims: dict[str, Any], headers: dict[str, Any]) -> str:
    signed = jwt.encode(claims, _platform_pem[0], algorithm="RS256", headers=headers)
    head, _, signature = signed.split(".")
    return ".".join([head, "WzFd", signature])  # [1]


def _audiences_without_azp(claims: dict[str, Any], _headers: dict[str, Any]) -> None:
    claims["aud"] = [claims["aud"], "someone-else"]
    del claims["azp"]


def _both_audiences_azp_other(claims: dict[str, Any], _headers: dict[str, Any]) -> None:
    claims["aud"] = [claims["aud"], "other-tool"]
    claims["azp"] = "other-tool"


def _other_port_target(claims: dict[str, Any], _headers: dict[str, Any]) -> None:
    scheme, host, port = claims[CLAIM + "target_link_uri"].split(":", 2)
    claims[CLAIM + "target_link_uri"] = f"{scheme}:{host}:1{port}"


_platform_pem: list[str] = []

CASES = [
    # id, mutation, status, error code shown
    ("no-kid", _no_kid, 401, "no_kid"),
    ("wrong-kid", _wrong_kid, 401, "unknown_kid"),
    ("wrong-lti-version", _set(CLAIM + "version", "1.2.0"), 400, "bad_message"),
    ("no-lti-version", _drop(CLAIM + "version"), 400, "bad_message"),
    ("invalid-message-type", _set(CLAIM + "message_type", "LtiFooRequest"), 400, "bad_message"),
    ("expired", _set("exp", int(time.time()) - 3600), 401, "expired_token"),
    ("issued-in-the-future", _set("iat", int(time.time()) + 3600), 401, "expired_token"),
    ("no-message-type", _drop(CLAIM + "message_type"), 400, "bad_message"),
    ("no-roles", _drop(CLAIM + "roles"), 400, "bad_message"),
    ("no-deployment-id", _drop(CLAIM + "deployment_id"), 400, "bad_message"),
    ("no-resource-link-id", _no_resource_link_id, 400, "bad_message"),
    ("no-sub", _drop("sub"), 400, "bad_message"),
    # beyond the guide
    ("signed-by-another-key", _other_key, 401, "bad_signature"),
    ("tampered-payload", _tampered_payload, 401, "bad_signature"),
    ("signature-stripped", _unsigned, 401, "bad_signature"),
    ("not-yet-valid", _set("nbf", int(time.time()) + 3600), 401, "expired_token"),
    ("iat-not-a-time", _set("iat", "yesterday"), 401, "expired_token"),
    ("exp-not-a-time", _set("exp", True), 401, "expired_token"),
    ("hs256", _hs256, 401, "bad_algorithm"),
    ("wrong-audience", _set("aud", "someone-else"), 401, "wrong_audience"),
    ("unknown-deployment", _set(CLAIM + "deployment_id", "99"), 403, "unknown_deployment"),
    ("no-nonce", _drop("nonce"), 401, "bad_nonce"),
    ("other-nonce", _set("nonce", "not-the-login-nonce"), 401, "bad_nonce"),
    ("no-exp", _drop("exp"), 401, "expired_token"),
    ("garbage", lambda c, h: "not.a.jwt", 400, "malformed_token"),
    ("not-base64url", _standard_base64_char, 400, "malformed_token"),
    ("claims-not-an-object", _array_payload, 400, "malformed_token"),
    ("two-segments", lambda c, h: "eyJhbGciOiJSUzI1NiJ9.e30", 400, "malformed_token"),
    ("several-audiences-no-azp", _audiences_without_azp, 401, "wrong_audience"),
    ("azp-another-tool", _set("azp", "other-tool"), 401, "wrong_audience"),
    ("azp-another-of-several", _both_audiences_azp_other, 403, "unknown_platform"),
    (
        "target-another-host",
        _set(CLAIM + "target_link_uri", "https://example.org/lti/launch"),
        400,
        "bad_target",
    ),
    ("target-another-port", _other_port_target, 400, "bad_target"),
    ("target-missing", _drop(CLAIM + "target_link_uri"), 400, "bad_message"),
    ("exp-infinite", _set("exp", float("inf")), 401, "expired_token"),
]


@pytest.mark.parametrize(
    ("mutate", "status", "code"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_launch_refusal_is_a_clear_page_with_the_right_status(
    tool: Tool, platform: OpenEdxPlatform, mutate: Callable[..., Any], status: int, code: str
) -> None:
    _platform_pem[:] = [platform.pem]
    response = _post(tool, platform, mutate)
    assert response.status_code == status, response.text[-600:]
    assert f"<code>{code}</code>" in response.text
    assert "Traceback" not in response.text
    assert 'role="alert"' in response.text
    with tool.database.sessions() as db:
        assert db.scalar(sa.select(sa.func.count()).select_from(LaunchRecord)) == 0


def test_launch_valid_minted_token_is_accepted(tool: Tool, platform: OpenEdxPlatform) -> None:
    # The control: the same minting, unchanged, launches.
    response = _post(tool, platform, lambda claims, headers: None)
    assert response.status_code == 200, response.text[-600:]


def test_launch_clock_skew_within_the_leeway_is_accepted(
    tool: Tool, platform: OpenEdxPlatform
) -> None:
    # Platforms' clocks drift: a token just expired or just issued is still taken.
    now = int(time.time())

    def skewed(claims: dict[str, Any], _headers: dict[str, Any]) -> None:
        claims.update(exp=now - LEEWAY // 2, iat=now + LEEWAY // 2)

    response = _post(tool, platform, skewed)
    assert response.status_code == 200, response.text[-600:]


def test_launch_without_the_state_cookie_is_refused(tool: Tool, platform: OpenEdxPlatform) -> None:
    browser, query = minted.login(platform)
    token = jwt.encode(
        minted.claims(platform, query["nonce"]),
        platform.pem,
        algorithm="RS256",
        headers={"kid": platform.kid},
    )
    browser.cookies.clear()
    response = browser.post(
        tool.url + "/lti/launch", data={"state": query["state"], "id_token": token}, timeout=10
    )
    assert response.status_code == 401
    assert "<code>state_mismatch</code>" in response.text


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({}, 400, "bad_login"),
        (
            {
                "iss": "https://unknown.example",
                "login_hint": "1",
                "target_link_uri": "{tool}/lti/launch",
            },
            403,
            "unknown_platform",
        ),
        (
            {
                "iss": "{platform}",
                "login_hint": "1",
                "target_link_uri": "https://evil.example/launch",
            },
            400,
            "bad_target",
        ),
    ],
)
def test_login_refusals(
    tool: Tool, platform: OpenEdxPlatform, params: dict[str, str], status: int, code: str
) -> None:
    filled = {k: v.format(tool=tool.url, platform=platform.url) for k, v in params.items()}
    response = requests.get(
        tool.url + "/lti/login", params=filled, allow_redirects=False, timeout=10
    )
    assert response.status_code == status
    assert f"<code>{code}</code>" in response.text


def test_launch_refusal_escapes_what_the_platform_sent(tool: Tool) -> None:
    response = requests.get(
        tool.url + "/lti/login",
        timeout=10,
        params={
            "iss": "<script>alert(1)</script>",
            "login_hint": "1",
            "target_link_uri": tool.url + "/lti/launch",
        },
    )
    assert response.status_code == 403
    assert "<script>alert(1)</script>" not in response.text
    assert "&lt;script&gt;" in response.text


def test_launch_audience_list_with_azp_is_accepted(tool: Tool, platform: OpenEdxPlatform) -> None:
    def audiences(claims: dict[str, Any], _headers: dict[str, Any]) -> None:
        claims["aud"] = ["someone-else", platform.client_id]
        claims["azp"] = platform.client_id

    response = _post(tool, platform, audiences)
    assert response.status_code == 200, response.text[-600:]


def test_login_by_post_works_like_get(tool: Tool, platform: OpenEdxPlatform) -> None:
    response = requests.post(
        tool.url + "/lti/login",
        allow_redirects=False,
        timeout=10,
        data={
            "iss": platform.url,
            "login_hint": "1",
            "client_id": platform.client_id,
            "target_link_uri": tool.url + "/lti/launch",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"].startswith(platform.url + "/auth?")


def test_login_for_an_issuer_with_several_client_ids_needs_the_client_id(
    tool: Tool, platform: OpenEdxPlatform
) -> None:
    with tool.database.transaction() as db:
        add_platform(db, PlatformSpec(**(platform.registration() | {"client_id": "second"})))
    params = {"iss": platform.url, "login_hint": "1", "target_link_uri": tool.url + "/lti/launch"}
    ambiguous = requests.get(
        tool.url + "/lti/login", params=params, allow_redirects=False, timeout=10
    )
    assert ambiguous.status_code == 400
    assert "<code>ambiguous_platform</code>" in ambiguous.text
    chosen = requests.get(
        tool.url + "/lti/login",
        params=params | {"client_id": "second"},
        allow_redirects=False,
        timeout=10,
    )
    assert chosen.status_code == 302
    assert "client_id=second" in chosen.headers["Location"]
    # and the platform's own registration still launches
    assert platform.launch().response.status_code == 200
