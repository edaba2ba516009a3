"""After a launch, pages inside the platform's frame carry a token instead of a cookie.

Third-party cookies are blocked in most browsers, so the launch travels with the
activity's forms as a signed token. It cannot be forged or altered without
the tool's secret key, it expires, and it is tied to one launch, so it is also the forms'
CSRF token. Keeping it in the page rather than in Redis saves a round trip on every
launch and every answer an activity saves, and needs nothing shared between workers.

It holds only claims the learner's browser already carried in the platform's id_token,
and of those only what later pages use: no names or e-mail addresses.
"""

from __future__ import annotations

from typing import Any

from itsdangerous import BadSignature, Serializer, URLSafeTimedSerializer
from itsdangerous.encoding import base64_encode
from sqlalchemy.orm import Session

from opes_lti.lti import registrations
from opes_lti.lti.claims import CLAIM
from opes_lti.lti.launch import Launch

#: A learner may keep an activity open for a working day.
SESSION_TTL = 8 * 3600
#: The claims later pages use.
KEPT_CLAIMS = frozenset(
    {
        "iss",
        "aud",
        "sub",  # sub: AGS needs the platform's user id to post a score
        CLAIM + "message_type",
        CLAIM + "deployment_id",
        CLAIM + "roles",
        CLAIM + "context",
        CLAIM + "resource_link",
        CLAIM + "custom",
        CLAIM + "launch_presentation",
        "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint",
        "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice",
    }
)


class _Uncompressed(URLSafeTimedSerializer):
    """Tokens are not compressed: zlib cost more per launch than the bytes it saved."""

    def dump_payload(self, obj: Any) -> bytes:
        """The payload base64-encoded, never compressed (reading still accepts both)."""
        return base64_encode(Serializer.dump_payload(self, obj))


class PageSessions:
    """Signs launches into page tokens and reads them back."""

    def __init__(self, secret_key: str) -> None:
        # A salt of its own: a token made for another purpose never reads as a launch.
        self._serializer = _Uncompressed(secret_key, salt="opes-lti-page-session")

    def remember(self, launch: Launch) -> str:
        """The token standing for ``launch`` in the activity's later requests."""
        return self.sign(
            {
                "platform": launch.platform.id,
                "claims": {k: v for k, v in launch.claims.items() if k in KEPT_CLAIMS},
                "user": launch.user,
                "locale": launch.locale,
                "roles": launch.roles,
            }
        )

    def sign(self, data: dict[str, Any]) -> str:
        """A token holding ``data``."""
        return self._serializer.dumps(data)

    def read(self, token: str) -> dict[str, Any] | None:
        """What ``token`` holds, or None when altered, foreign or expired."""
        if not token:
            return None
        try:
            data = self._serializer.loads(token, max_age=SESSION_TTL)
        except BadSignature:  # SignatureExpired included
            return None
        return data if isinstance(data, dict) else None

    def recall(self, db: Session, token: str) -> Launch | None:
        """The launch a token stands for, or None; None too if its platform is gone."""
        data = self.read(token)
        if data is None:
            return None
        platform = registrations.platform_ref(db, data["platform"])
        if platform is None:
            return None
        return Launch(
            platform=platform,
            claims=data["claims"],
            user=data["user"],
            locale=data["locale"],
            roles=data["roles"],
        )
