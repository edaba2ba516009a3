"""LTI Dynamic Registration: a platform administrator pastes one URL and the tool registers.

The URL carries an invitation signed with the tool's secret key (``opes-lti platforms
invite``), so only someone an operator invited can make the tool trust a new platform.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from opes_lti.core import outbound
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
#: How long a registration link works unless told otherwise, and at the very most.
INVITE_HOURS = 24
INVITE_MAX_HOURS = 7 * 24
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


@dataclass(frozen=True)
class Invitation:
    """A registration link's content: one platform, once, until a moment."""

    name: str
    #: Spent by the registration it lets through (see :func:`spend`).
    id: str
    #: Unix time after which it no longer works.
    until: int


def invite(secret: str, name: str, hours: float = INVITE_HOURS) -> str:
    """A signed invitation for the registration URL, good for one registration."""
    if not 0 < hours <= INVITE_MAX_HOURS:
        raise RegistrationError(f"a registration link works for up to {INVITE_MAX_HOURS} hours")
    until = int(time.time() + hours * 3600)
    return _serializer(secret).dumps({"name": name, "id": secrets.token_hex(16), "until": until})


def check_invite(secret: str, token: str) -> Invitation:
    """The invitation, or :class:`RegistrationError` saying why it does not work."""
    try:
        data = _serializer(secret).loads(token, max_age=INVITE_MAX_HOURS * 3600)
        invitation = Invitation(str(data["name"]), str(data["id"]), int(data["until"]))
    except SignatureExpired:
        raise RegistrationError("this registration link has expired: ask for a new one") from None
    except (BadSignature, KeyError, TypeError, ValueError):
        raise RegistrationError("this registration link is not valid: ask for a new one") from None
    if invitation.until <= time.time():
        raise RegistrationError("this registration link has expired: ask for a new one")
    return invitation


def spend(store: Any, invitation: Invitation) -> None:
    """Take the invitation for this registration; a second use is refused.

    Taken before the platform is called, so two registrations at once cannot both
    use it; :func:`give_back` returns it when the registration then fails.
    """
    ttl = max(1, invitation.until - int(time.time()))
    if not store.claim(f"invite:{invitation.id}", ttl):
        raise RegistrationError(
            "this registration link was already used to register a platform: ask for a new one"
        )


def give_back(store: Any, invitation: Invitation) -> None:
    """The registration failed: the invitation may be used again (until it expires)."""
    store.take(f"invite:{invitation.id}")


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
        with outbound.http(timeout=TIMEOUT) as http:
            response = http.get(url, headers=headers)
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
        with outbound.http(timeout=TIMEOUT) as http:
            response = http.post(
                config["registration_endpoint"], json=tool_registration(urls, name), headers=headers
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
