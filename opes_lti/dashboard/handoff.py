"""An instructor's way in: a course launch at the tool hands the browser to the dashboard.

The tool, having validated an LTI launch with an instructor's role, signs a short-lived
token naming the course with its own LTI key; the reporting service checks it against
the tool's published keys, takes it once, and opens a session that sees that one
course. No account is needed and no name crosses: the token carries a course key, the
course's title and a language. Both halves live here, so they cannot drift apart.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from pydantic import BaseModel, ConfigDict, Field, ValidationError

#: Where the browser posts the token, on the reporting service.
PATH = "/dashboard/enter"
#: Seconds a token lives: it is minted as the instructor clicks, and posted at once.
LIFETIME = 120
#: Hours the instructor's dashboard session lasts before another launch is needed.
SESSION_HOURS = 8
_ALGORITHM = "RS256"


class Handoff(BaseModel):
    """What a valid token grants: one course's dashboard, shown in one language."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    #: The report's course key (``Context.course_key()`` of the launch).
    course: str = Field(min_length=1, max_length=200)
    #: The course's title as the platform sent it, for the page header.
    title: str = Field(default="", max_length=300)
    locale: str = Field(default="it", pattern=r"^(it|en)$")
    jti: str = Field(min_length=16, max_length=64)
    exp: int


class Refused(ValueError):
    """The token is no good; the message says what to do."""


def mint(
    *,
    issuer: str,
    audience: str,
    course: str,
    title: str,
    locale: str,
    kid: str,
    private_pem: str,
    now: datetime | None = None,
) -> str:
    """The token the tool hands the browser for ``course``."""
    at = now or datetime.now(UTC)
    claims = {
        "iss": issuer,
        "aud": audience,
        "iat": int(at.timestamp()),
        "exp": int((at + timedelta(seconds=LIFETIME)).timestamp()),
        "jti": secrets.token_urlsafe(24),
        "course": course,
        "title": title[:300],
        "locale": locale if locale in ("it", "en") else "it",
    }
    return jwt.encode(claims, private_pem, algorithm=_ALGORITHM, headers={"kid": kid})


#: The tool's published keys (a JWKS), looked up again when a kid is unknown.
KeySet = Callable[[bool], Mapping[str, Any]]


def verify(token: str, *, issuer: str, audience: str, keys: KeySet) -> Handoff:
    """The grant ``token`` carries, or :class:`Refused`: signature, issuer, audience, time."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise Refused("not a token") from exc
    if header.get("alg") != _ALGORITHM or not isinstance(header.get("kid"), str):
        raise Refused("not signed by the tool")
    key = _key(keys, header["kid"])
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[_ALGORITHM],
            audience=audience,
            issuer=issuer,
            options={"require": ["exp", "iat", "jti", "iss", "aud"]},
            leeway=5,
        )
    except jwt.ExpiredSignatureError as exc:
        raise Refused("expired") from exc
    except jwt.PyJWTError as exc:
        raise Refused("not valid") from exc
    try:
        return Handoff.model_validate(claims)
    except ValidationError as exc:
        raise Refused("not valid") from exc


def _key(keys: KeySet, kid: str) -> Any:
    for fresh in (False, True):  # a key rotated since the last fetch: fetch once more
        for jwk in keys(fresh).get("keys", ()):
            if isinstance(jwk, dict) and jwk.get("kid") == kid:
                try:
                    return jwt.PyJWK(jwk, _ALGORITHM).key
                except jwt.PyJWTError as exc:
                    raise Refused("not signed by the tool") from exc
    raise Refused("not signed by the tool")
