"""OIDC login and launch validation, with every check LTI 1.3 asks for.

pylti1p3 2.0.0 validates claims well but keeps its state in one process's session and
never consumes nonces. Here the state lives in a shared :class:`LaunchStore`, each state
is taken once, each nonce is claimed once, and the signature, issuer, audience and times
are checked with PyJWT. pylti1p3's message validators then check the claims of each
message type.
"""

from __future__ import annotations

import binascii
import hashlib
import json
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from urllib.parse import urlencode, urlsplit

import jwt
import requests
import sqlalchemy as sa
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from pylti1p3.exception import LtiException
from pylti1p3.message_validators import get_validators
from sqlalchemy.orm import Session

from opes_lti.core import outbound
from opes_lti.core.db import relaxed_engine, utcnow
from opes_lti.core.ttlcache import TtlCache
from opes_lti.lti import claims as shapes
from opes_lti.lti import registrations
from opes_lti.lti.claims import CLAIM
from opes_lti.lti.errors import LaunchError
from opes_lti.lti.models import Deployment, LaunchRecord, Platform
from opes_lti.lti.registrations import PlatformRef
from opes_lti.lti.store import LaunchStore

#: Seconds a login may take to come back as a launch.
STATE_TTL = 600
#: Clock skew tolerated on iat/exp.
LEEWAY = 60
#: How long a platform's key set is reused before it is fetched again.
JWKS_TTL = 3600
MESSAGE_TYPES = ("LtiResourceLinkRequest", "LtiDeepLinkingRequest")
_RECORDED_COLUMNS = (
    "platform_id",
    "deployment_id",
    "user",
    "context_id",
    "resource_link_id",
    "message_type",
    "roles",
    "locale",
    "created_at",
)
#: Record the launch only if its registration and deployment still exist: the check and
#: the write are one statement, so a registration read from a process cache is confirmed
#: at the moment it is used, in the launch's single round trip to the database.
RECORD_IF_REGISTERED = (
    sa.insert(LaunchRecord)
    .from_select(
        _RECORDED_COLUMNS,
        sa.select(
            *(
                sa.bindparam(name, type_=LaunchRecord.__table__.c[name].type)
                for name in _RECORDED_COLUMNS
            )
        ).where(
            sa.exists().where(
                Deployment.platform_id == sa.bindparam("platform_id"),
                Deployment.deployment_id == sa.bindparam("deployment_id"),
                Platform.id == Deployment.platform_id,
                Platform.disabled_at.is_(None),
            )
        ),
    )
    .returning(LaunchRecord.id)
)


@dataclass(frozen=True)
class LoginRedirect:
    """Where to send the browser after a login, and the state to remember it by."""

    url: str
    state: str
    platform_origin: str


@dataclass
class Launch:
    """A launch that passed every check."""

    platform: PlatformRef
    claims: dict[str, Any]
    user: str
    locale: str
    roles: list[str] = field(default_factory=list)

    @property
    def message_type(self) -> str:
        """LtiResourceLinkRequest or LtiDeepLinkingRequest."""
        return self.claims[CLAIM + "message_type"]

    @property
    def deployment_id(self) -> str:
        """The deployment the launch came through."""
        return self.claims[CLAIM + "deployment_id"]

    @property
    def context(self) -> dict[str, Any]:
        """The course, if the platform sent one."""
        return self.claims.get(CLAIM + "context") or {}

    @property
    def resource_link(self) -> dict[str, Any]:
        """The placement of the activity in the course."""
        return self.claims.get(CLAIM + "resource_link") or {}

    @property
    def custom(self) -> dict[str, str]:
        """Custom parameters set by the deep link or the designer, as text."""
        return shapes.custom_text(self.claims.get(CLAIM + "custom"))

    def has_role(self, *names: str) -> bool:
        """True if any role URI ends with one of ``names`` (#Instructor, /Administrator…)."""
        return any(role.rsplit("#", 1)[-1].rsplit("/", 1)[-1] in names for role in self.roles)

    @property
    def is_instructor(self) -> bool:
        """Instructors, teaching assistants, content developers and administrators."""
        return self.has_role("Instructor", "Administrator", "ContentDeveloper", "TeachingAssistant")


def pseudonym(issuer: str, sub: str) -> str:
    """The learner's id in events and the tool's tables: no platform id leaves the tool."""
    return hashlib.sha256(f"{issuer}\x1f{sub}".encode()).hexdigest()


def begin_login(
    db: Session, store: LaunchStore, params: Mapping[str, str], launch_url: str
) -> LoginRedirect:
    """Answer a third-party-initiated login.

    A state and a nonce are remembered in the shared store; the browser goes on to the
    platform's authorization endpoint.
    """
    issuer, login_hint = params.get("iss"), params.get("login_hint")
    target = params.get("target_link_uri")
    if not issuer or not login_hint or not target:
        raise LaunchError(
            "bad_login",
            "missing "
            + ", ".join(k for k in ("iss", "login_hint", "target_link_uri") if not params.get(k)),
        )
    if target.split("?", 1)[0].rstrip("/") != launch_url.rstrip("/"):
        raise LaunchError("bad_target", target)
    found = registrations.for_login(db, issuer, params.get("client_id"))
    if not found:
        raise LaunchError("unknown_platform", issuer)
    if len(found) > 1:
        raise LaunchError("ambiguous_platform", issuer)
    platform = found[0]
    state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    origin = "/".join(platform.auth_login_url.split("/", 3)[:3])
    remembered = {"nonce": nonce, "platform": platform.id}
    if params.get("lti_storage_target"):
        # The platform offers LTI Platform Storage: the browser may come back without our
        # cookie, and prove itself with what it stored in the platform's frame instead.
        remembered |= {"storage": params["lti_storage_target"], "origin": origin}
    store.put(f"state:{state}", remembered, STATE_TTL)
    query = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": platform.client_id,
        "redirect_uri": target,
        "login_hint": login_hint,
        "state": state,
        "nonce": nonce,
    }
    if params.get("lti_message_hint"):
        query["lti_message_hint"] = params["lti_message_hint"]
    separator = "&" if "?" in platform.auth_login_url else "?"
    return LoginRedirect(platform.auth_login_url + separator + urlencode(query), state, origin)


def _key_set(store: LaunchStore, url: str, refresh: bool) -> dict[str, Any]:
    cache_key = "jwks:" + hashlib.sha256(url.encode()).hexdigest()
    if not refresh and (cached := store.get(cache_key)):
        return cached
    try:
        with outbound.http(timeout=5) as http:
            response = http.get(url)
        response.raise_for_status()
        key_set = response.json()
        if not isinstance(key_set.get("keys"), list):
            raise ValueError("no keys")
    except (requests.RequestException, ValueError, AttributeError) as exc:
        raise LaunchError("jwks_unavailable", f"{url}: {exc}") from None
    store.put(cache_key, key_set, JWKS_TTL)
    return key_set


#: Parsed public keys by (JWKS URL, kid), kept per process: parsing a JWK into a key costs
#: more than the signature check. Never longer than the shared copy of the key set.
_PARSED_TTL = 300.0
_parsed: TtlCache[Any] = TtlCache(_PARSED_TTL)


def _public_key(store: LaunchStore, platform: PlatformRef, kid: str) -> Any:
    cached = _parsed.get((platform.key_set_url, kid))
    if cached is not None:
        return cached
    # A kid we have not seen means the platform rotated its keys: fetch once more.
    for refresh in (False, True):
        for jwk in _key_set(store, platform.key_set_url, refresh)["keys"]:
            if jwk.get("kid") == kid:
                try:
                    key = jwt.PyJWK(jwk, algorithm="RS256").key
                except jwt.PyJWTError as exc:
                    raise LaunchError("unknown_kid", f"unusable key {kid}: {exc}") from None
                return _parsed.put((platform.key_set_url, kid), key)
    raise LaunchError("unknown_kid", kid)


def _client_id(claims: shapes.Claims) -> str:
    """The client id the token is for: ``azp`` when present (it must be an audience)."""
    audiences = [claims.aud] if isinstance(claims.aud, str) else claims.aud
    if claims.azp is not None:
        if claims.azp not in audiences:
            raise LaunchError("wrong_audience", "azp is not among the audiences")
        return claims.azp
    if len(audiences) > 1:
        raise LaunchError("wrong_audience", "several audiences and no azp among them")
    return audiences[0]


def validate_launch(
    db: Session,
    store: LaunchStore,
    id_token: str,
    state: str,
    tool_url: str,
    default_locale: str = "it",
) -> Launch:
    """Check a launch from top to bottom; raise :class:`LaunchError`.

    Nothing is written: :func:`accept` records the launch once the page it asks for
    could be shown.
    """
    if not id_token:
        raise LaunchError("malformed_token", "no id_token")
    if not state:
        raise LaunchError("expired_state")
    raw_header, raw_claims = _parse(id_token)
    header = shapes.header(raw_header)
    if header.alg != "RS256":
        raise LaunchError("bad_algorithm", str(header.alg))
    if not header.kid:
        raise LaunchError("no_kid")
    shaped = shapes.claims(raw_claims)
    client_id = _client_id(shaped)
    found = registrations.for_launch(db, shaped.iss, client_id, shaped.deployment_id)
    if not found:
        raise LaunchError("unknown_platform", f"{shaped.iss} / {client_id}")
    platform, deployed = found[0]

    # Signature, times, audience and target first: a token the platform did not sign
    # (or signed for someone else, or long ago) must not spend a person's state or nonce.
    # The token was parsed once above; its signature is checked against those same bytes
    # rather than have PyJWT parse and re-validate the whole token a second time.
    _verify_signature(id_token, _public_key(store, platform, header.kid))
    _check_times_and_audience(shaped, platform, tool_url)

    # The state is taken and the token's nonce claimed in one round trip: a state is used
    # once, and a nonce is accepted once even if a state were ever made again with it
    # (pylti1p3 only reads the nonce, so a captured id_token could be posted again).
    remembered, fresh_nonce = store.take_and_claim(
        f"state:{state}", f"nonce:{platform.issuer}:{shaped.nonce}", STATE_TTL + LEEWAY * 2
    )
    if remembered is None:
        raise LaunchError("expired_state")
    if platform.id != remembered["platform"]:
        raise LaunchError("wrong_audience", "the login was for another registration")
    if shaped.nonce != remembered["nonce"]:
        raise LaunchError("bad_nonce", "the nonce is not the login's")
    if not fresh_nonce:
        raise LaunchError("bad_nonce", "replayed")

    if not deployed:  # looked up with the registration, for this same token
        raise LaunchError("unknown_deployment", shaped.deployment_id)
    _check_message(raw_claims, shaped)

    locale = ((shaped.presentation and shaped.presentation.locale) or default_locale)[:2].lower()
    return Launch(
        platform=platform,
        claims=raw_claims,
        user=pseudonym(platform.issuer, shaped.sub),
        locale=locale if locale in ("it", "en") else default_locale,
        roles=list(shaped.roles),
    )


def accept(db: Session, launch: Launch) -> None:
    """Record ``launch`` as accepted; refuse it if its registration changed meanwhile."""
    values = {
        "platform_id": launch.platform.id,
        "deployment_id": launch.deployment_id,
        "user": launch.user,
        "context_id": launch.context.get("id"),
        "resource_link_id": launch.resource_link.get("id"),
        "message_type": launch.message_type,
        "roles": launch.roles,
        "locale": launch.locale,
        "created_at": utcnow(),
    }
    if _record(db, values):
        return
    # Changed since this process cached it: say what changed.
    registrations.forget_cached()
    platform = launch.platform
    client_id = _client_id(shapes.claims(launch.claims))
    fresh = registrations.for_launch(
        db, platform.issuer, client_id, launch.deployment_id, fresh=True
    )
    if not fresh:
        raise LaunchError("unknown_platform", f"{platform.issuer} / {client_id}")
    if not fresh[0][1]:
        raise LaunchError("unknown_deployment", launch.deployment_id)
    # Removed and registered again moments ago: the next launch reads the new one.
    raise LaunchError("unknown_platform", "the registration changed; launch again")


#: base64url to base64; "+" and "/" are not base64url, so they become a character that
#: strict decoding refuses instead of being read as standard base64.
_FROM_URLSAFE = str.maketrans({"-": "+", "_": "/", "+": "*", "/": "*", "=": "*"})


def _segment(part: str) -> bytes:
    """Strict base64url: a stray character is an error, not skipped as lenient decoders do."""
    if len(part) % 4 == 1:
        raise ValueError("truncated segment")
    return binascii.a2b_base64(
        part.translate(_FROM_URLSAFE) + "=" * (-len(part) % 4), strict_mode=True
    )


def _parse(id_token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and claims, unverified: one parse serves the lookup and the checks.

    PyJWT's parser checks each character of the token in a Python loop, which was a
    twentieth of a launch's CPU; this decodes in C with the same strictness.
    """
    parts = id_token.split(".")
    try:
        if len(parts) != 3:
            raise ValueError("not a signed JWT in compact form")
        header, claims = (json.loads(_segment(part)) for part in parts[:2])
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise LaunchError("malformed_token", str(exc)) from None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise LaunchError("malformed_token", "header and claims must be JSON objects")
    return header, claims


@cache
def _postgres_record_sql() -> str:
    from sqlalchemy.dialects.postgresql import psycopg

    return str(RECORD_IF_REGISTERED.compile(dialect=psycopg.dialect()))


def _record(db: Session, values: dict[str, Any]) -> bool:
    """Run :data:`RECORD_IF_REGISTERED` on its own, committed; True if a row was written.

    One statement needs no transaction around it: BEGIN and COMMIT would be two more
    round trips on every launch. On PostgreSQL it goes through the relaxed engine (the
    launch log may lose its last fraction of a second in a database crash; waiting for the
    disk was most of a launch's latency), compiled once and handed straight to the driver:
    SQLAlchemy's execution around it cost half again the driver's own CPU.
    """
    relaxed = relaxed_engine(db)
    if relaxed is None:
        engine = db.get_bind().engine
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            return conn.execute(RECORD_IF_REGISTERED, values).first() is not None
    pooled = relaxed.raw_connection()  # through the pool and its liveness check
    try:
        params = values | {"roles": json.dumps(values["roles"])}
        driver: Any = pooled.driver_connection  # psycopg's own connection, checked out
        return driver.execute(_postgres_record_sql(), params).fetchone() is not None
    finally:
        pooled.close()  # back to the pool


def _verify_signature(id_token: str, key: Any) -> None:
    signing_input, _, signature = id_token.rpartition(".")
    try:
        key.verify(_segment(signature), signing_input.encode(), PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, ValueError, TypeError, binascii.Error):
        raise LaunchError("bad_signature", "signature does not match the platform's key") from None


def _within(url: str, base: str) -> bool:
    """Whether ``url`` is ``base`` or below it (same scheme, host, port and path prefix)."""
    target, tool = urlsplit(url), urlsplit(base)
    path, prefix = target.path.rstrip("/"), tool.path.rstrip("/")
    return (
        target.scheme.lower() == tool.scheme.lower()
        and target.netloc.lower() == tool.netloc.lower()
        and (path == prefix or path.startswith(prefix + "/"))
    )


def _check_times_and_audience(claims: shapes.Claims, platform: PlatformRef, tool_url: str) -> None:
    """Times with leeway, issuer, audience, and that the token means this tool."""
    now = time.time()
    if claims.exp <= now - LEEWAY:
        raise LaunchError("expired_token", "the token has expired")
    if claims.iat > now + LEEWAY:
        raise LaunchError("expired_token", "the token was issued in the future")
    if claims.nbf is not None and claims.nbf > now + LEEWAY:
        raise LaunchError("expired_token", "the token is not yet valid")
    if claims.iss != platform.issuer:
        raise LaunchError("unknown_platform", claims.iss)
    audiences = [claims.aud] if isinstance(claims.aud, str) else claims.aud
    if platform.client_id not in audiences:
        raise LaunchError("wrong_audience", "the token is not for this tool")
    if claims.azp is not None and claims.azp != platform.client_id:
        raise LaunchError("wrong_audience", "azp names another client")
    if claims.target_link_uri is None:
        raise LaunchError("bad_message", "target_link_uri claim missing")
    if not _within(claims.target_link_uri, tool_url):
        raise LaunchError("bad_target", "target_link_uri is not this tool's address")


def _check_message(raw: dict[str, Any], claims: shapes.Claims) -> None:
    if claims.message_type not in MESSAGE_TYPES:
        raise LaunchError("bad_message", f"message type {claims.message_type} is not supported")
    for validator in get_validators():
        if validator.can_validate(raw):
            try:
                validator.validate(raw)
            except LtiException as exc:
                raise LaunchError("bad_message", str(exc)) from None
            return
    raise LaunchError("bad_message", f"no validator for {json.dumps(claims.message_type)}")
