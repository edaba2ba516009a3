"""After a launch, pages inside the platform's frame carry a token instead of a cookie.

Third-party cookies are blocked in most browsers, so the launch is remembered in the
shared store under a random token that the activity's forms send back. The token is
unguessable and tied to one launch, so it is also the forms' CSRF token.
"""

from __future__ import annotations

import secrets

from sqlalchemy.orm import Session

from opes_lti.lti import registrations
from opes_lti.lti.launch import CLAIM, Launch
from opes_lti.lti.store import LaunchStore

#: A learner may keep an activity open for a working day.
SESSION_TTL = 8 * 3600
#: The claims later pages use. Names, e-mail addresses and the rest are not kept: the
#: tool works with pseudonyms, and what it does not store cannot leak.
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


def remember(store: LaunchStore, launch: Launch) -> str:
    """Keep the launch for the activity's later requests; returns its token."""
    token = secrets.token_urlsafe(32)
    store.put(
        f"launch:{token}",
        {
            "platform": launch.platform.id,
            "claims": {k: v for k, v in launch.claims.items() if k in KEPT_CLAIMS},
            "user": launch.user,
            "locale": launch.locale,
            "roles": launch.roles,
        },
        SESSION_TTL,
    )
    return token


def recall(db: Session, store: LaunchStore, token: str) -> Launch | None:
    """The launch a token stands for, or None when unknown or expired."""
    data = store.get(f"launch:{token}") if token else None
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
