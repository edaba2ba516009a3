"""The reporting service's half of an instructor's way in: check the tool's token, once.

The tool's keys come from the same database in the embedded default, else from the
tool's published JWKS (``OPES_TOOL_URL``), fetched through the outbound guard and kept
for a few minutes.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from opes_lti.core import outbound
from opes_lti.core.ttlcache import TtlCache
from opes_lti.dashboard import handoff
from opes_lti.dashboard.models import HandoffUse
from opes_lti.lti import keys as tool_keys

_KEYS_SECONDS = 300.0
_JWKS_PATH = "/lti/jwks"


def _settings() -> Any:
    return current_app.config["OPES_SETTINGS"]


def issuer() -> str:
    """Whose tokens this service takes: the tool it is told of, or itself (embedded)."""
    settings = _settings()
    return str(settings.tool_url or settings.base_url)


def _key_set(db: Session) -> handoff.KeySet:
    settings = _settings()
    if not settings.tool_url:
        return lambda _fresh: tool_keys.jwks(db)
    cache: TtlCache[Mapping[str, Any]] = current_app.extensions.setdefault(
        "opes_tool_jwks", TtlCache(_KEYS_SECONDS)
    )

    def fetch(fresh: bool) -> Mapping[str, Any]:
        kept = None if fresh else cache.get("jwks")
        if kept is not None:
            return kept
        try:
            with outbound.http(timeout=5.0) as http:
                answer = http.get(settings.tool_url + _JWKS_PATH)
                answer.raise_for_status()
                body = answer.json()
        except (OSError, ValueError) as exc:  # requests' errors are OSErrors
            raise handoff.Refused("the tool's keys could not be fetched") from exc
        if not isinstance(body, dict):
            raise handoff.Refused("the tool's keys could not be fetched")
        return cache.put("jwks", body)

    return fetch


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def from_the_tool(origin: str | None, referer: str | None) -> bool:
    """Whether a browser's form came from the tool's pages (its Origin, else its Referer).

    Browsers send Origin with every form POST; a client that sends neither is no
    browser, and a login CSRF needs a browser. An opaque origin ("null") is refused.
    """
    sent = origin or referer
    return not sent or _origin(sent) == _origin(issuer())


def enter(db: Session, token: str, now: datetime | None = None) -> handoff.Handoff:
    """The course ``token`` opens, taken once; :class:`handoff.Refused` otherwise."""
    grant = handoff.verify(token, issuer=issuer(), audience=_settings().base_url, keys=_key_set(db))
    at = now or datetime.now(UTC)
    # Forgotten a minute after expiry, past the verifier's leeway: never taken twice.
    db.execute(sa.delete(HandoffUse).where(HandoffUse.expires_at < at - timedelta(minutes=1)))
    expires = datetime.fromtimestamp(grant.exp, UTC)
    try:
        with db.begin_nested():
            db.add(HandoffUse(jti=grant.jti, expires_at=expires))
    except IntegrityError as exc:
        raise handoff.Refused("already used") from exc
    db.commit()
    return grant
