"""Launches minted by hand with PyJWT after a genuine login at the tool.

The real platform (lti-consumer-xblock) is lenient and never sends a wrong token, so
refusals are tested with tokens made here: a real login gives a genuine state, cookie
and nonce, then a token wrong in one chosen way is posted.
"""

from __future__ import annotations

import base64
import json
import time
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import requests
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15

from tests.lti.conftest import Tool
from tests.support.platform import OpenEdxPlatform

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"


def login(platform: OpenEdxPlatform) -> tuple[requests.Session, dict[str, str]]:
    """A browser that went through the tool's login, and the query it was sent on with."""
    browser = requests.Session()
    platform.prepare()
    answer = browser.get(platform.preflight_url(), allow_redirects=False, timeout=30)
    assert answer.status_code == 302, answer.text
    return browser, dict(parse_qsl(urlsplit(answer.headers["Location"]).query))


def claims(platform: OpenEdxPlatform, nonce: str) -> dict[str, Any]:
    """A learner's valid resource-link launch of the test activity."""
    now = int(time.time())
    return {
        "iss": platform.url,
        "aud": platform.client_id,
        "azp": platform.client_id,
        "sub": "learner-1",
        "iat": now,
        "exp": now + 300,
        "nonce": nonce,
        CLAIM + "message_type": "LtiResourceLinkRequest",
        CLAIM + "version": "1.3.0",
        CLAIM + "deployment_id": platform.deployment_id,
        CLAIM + "target_link_uri": platform.tool_url + "/lti/launch",
        CLAIM + "resource_link": {"id": "rl-1"},
        CLAIM + "custom": {"activity": "placeholder"},
        CLAIM + "roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"],
    }


def sign(platform: OpenEdxPlatform, body: dict[str, Any], **headers: Any) -> str:
    """``body`` signed RS256 with the platform's own key, under any header at all.

    Signed by hand rather than by PyJWT, which picks its algorithm from the header and
    so cannot sign a header whose ``alg`` is a number or a list.
    """
    header = {"alg": "RS256", "kid": platform.kid} | headers
    signing_input = _segment(header) + "." + _segment(body)
    key = serialization.load_pem_private_key(platform.pem.encode(), password=None)
    signature = key.sign(signing_input.encode(), PKCS1v15(), hashes.SHA256())  # type: ignore[union-attr, call-arg, arg-type]
    return signing_input + "." + base64.urlsafe_b64encode(signature).rstrip(b"=").decode()


def _segment(value: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


def post(tool: Tool, browser: requests.Session, state: str, token: str) -> requests.Response:
    """The platform's form post of ``token`` with ``state``."""
    return browser.post(
        tool.url + "/lti/launch", data={"state": state, "id_token": token}, timeout=30
    )
