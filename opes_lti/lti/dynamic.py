"""LTI Dynamic Registration: a platform administrator pastes one URL and the tool registers.

The URL carries an invitation signed with the tool's secret key (``opes-lti platforms
invite``), so only someone an operator invited can make the tool trust a new platform.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from opes_lti.lti import registrations
from opes_lti.lti.models import Platform
from opes_lti.lti.registrations import PlatformSpec, RegistrationError

PLATFORM_CONFIG = "https://purl.imsglobal.org/spec/lti-platform-configuration"
TOOL_CONFIG = "https://purl.imsglobal.org/spec/lti-tool-configuration"
SCOPES = " ".join(
    [
        "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
        "https://purl.imsglobal.org/spec/lti-ags/scope/score",
        "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
        "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
    ]
)
INVITE_DAYS = 7
TIMEOUT = 10


@dataclass(frozen=True)
class ToolUrls:
    """Where the tool answers, as the platform must record it."""

    base: str
    login: str
    launch: str
    jwks: str


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="opes-lti-dynamic-registration")


def invite(secret: str, name: str) -> str:
    """A signed invitation for the registration URL."""
    return _serializer(secret).dumps({"name": name})


def check_invite(secret: str, token: str) -> str:
    """The invited platform's name, or :class:`RegistrationError`."""
    try:
        return str(_serializer(secret).loads(token, max_age=INVITE_DAYS * 86400)["name"])
    except SignatureExpired:
        raise RegistrationError("this registration link has expired: ask for a new one") from None
    except (BadSignature, KeyError, TypeError):
        raise RegistrationError("this registration link is not valid") from None


def origin_of(url: str) -> str | None:
    """``scheme://host[:port]`` of an http(s) URL, or None (for a CSP source list)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        return None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return None
    # Only characters a CSP host-source can hold: nothing that could end the directive.
    netloc = parts.netloc.rpartition("@")[2]
    if not all(c.isalnum() or c in ".-:[]" for c in netloc):
        return None
    return f"{parts.scheme}://{netloc}".lower()


def _get_json(url: str, token: str | None) -> dict[str, Any]:
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        response = requests.get(url, headers=headers, timeout=TIMEOUT)
        response.raise_for_status()
        data = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise RegistrationError(f"the platform's configuration could not be read: {exc}") from None
    if not isinstance(data, dict):
        raise RegistrationError("the platform's configuration is not a JSON object")
    return data


def read_platform(openid_configuration: str, token: str | None) -> dict[str, Any]:
    """The platform's OpenID configuration, checked as the specification requires."""
    parts = urlsplit(openid_configuration)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise RegistrationError("openid_configuration must be an http(s) URL")
    config = _get_json(openid_configuration, token)
    missing = [
        k
        for k in (
            "issuer",
            "authorization_endpoint",
            "token_endpoint",
            "jwks_uri",
            "registration_endpoint",
        )
        if not config.get(k)
    ]
    if missing:
        raise RegistrationError("the platform's configuration lacks " + ", ".join(missing))
    # The issuer must be where the configuration came from (no one else's issuer).
    if not openid_configuration.startswith(str(config["issuer"]).rstrip("/")):
        raise RegistrationError("the platform's issuer does not match its configuration URL")
    return config


def tool_registration(urls: ToolUrls, name: str) -> dict[str, Any]:
    """The client registration the tool asks the platform for."""
    return {
        "application_type": "web",
        "response_types": ["id_token"],
        "grant_types": ["implicit", "client_credentials"],
        "initiate_login_uri": urls.login,
        "redirect_uris": [urls.launch],
        "client_name": "OPES",
        "client_name#it": "OPES",
        "jwks_uri": urls.jwks,
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": SCOPES,
        TOOL_CONFIG: {
            "domain": urlsplit(urls.base).netloc,
            "description": "OPES: self-assessment, group work and communities of practice",
            "target_link_uri": urls.launch,
            # None: Moodle merges tool-level custom parameters over each link's, so one
            # naming an activity would open that activity from every placed link.
            "claims": ["iss", "sub", "name", "locale"],
            "messages": [
                {
                    "type": "LtiDeepLinkingRequest",
                    "target_link_uri": urls.launch,
                    "label": "OPES",
                    "label#it": "Attività OPES",
                },
            ],
        },
    }


def register(
    db: Session, urls: ToolUrls, name: str, openid_configuration: str, token: str | None
) -> Platform:
    """Read the platform, register the tool with it, store the registration."""
    config = read_platform(openid_configuration, token)
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        response = requests.post(
            config["registration_endpoint"],
            timeout=TIMEOUT,
            json=tool_registration(urls, name),
            headers=headers,
        )
        response.raise_for_status()
        answer = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise RegistrationError(f"the platform refused the registration: {exc}") from None
    client_id = answer.get("client_id") if isinstance(answer, dict) else None
    if not client_id:
        raise RegistrationError("the platform's answer has no client_id")
    deployment = (answer.get(TOOL_CONFIG) or {}).get("deployment_id")
    product = (config.get(PLATFORM_CONFIG) or {}).get("product_family_code", "")
    return registrations.add_platform(
        db,
        PlatformSpec(
            name=f"{name} ({product})" if product else name,
            issuer=str(config["issuer"]),
            client_id=str(client_id),
            auth_login_url=str(config["authorization_endpoint"]),
            auth_token_url=str(config["token_endpoint"]),
            key_set_url=str(config["jwks_uri"]),
            deployment_ids=(str(deployment),) if deployment else (),
            auth_audience=config.get("authorization_server"),
        ),
    )
