"""The one module that touches Open edX itself (and the workbench that stands in for it).

The blocks ask here for the viewer, the course, the site's settings, the teams service
and whether the outbox app is installed, so a change in the platform is a change here
only (as xblock-lti-consumer's ``plugin/compat.py`` does).
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

log = logging.getLogger(__name__)

#: The XBLOCK_SETTINGS bucket every OPES block reads.
BUCKET = "OPES"
#: The bucket the first release read; still honoured, with a deprecation warning.
LEGACY_BUCKET = "SelfAssessmentXBlock"
_warned = False


def _attrs(block: Any) -> dict[str, Any]:
    user = block.runtime.service(block, "user").get_current_user()
    return getattr(user, "opt_attrs", {}) or {}


def viewer_subject(block: Any) -> str:
    """The platform's own id for the viewer: Open edX's anonymous user id for the course."""
    attrs = _attrs(block)
    return str(
        attrs.get("edx-platform.anonymous_user_id")
        or attrs.get("xblock-workbench.user_id")
        or block.scope_ids.user_id
    )


def pseudonym_of(subject: str) -> str:
    """The pseudonymous id OPES knows a learner by: a hash of the platform's id, no name."""
    return hashlib.sha256(f"openedx\x1f{subject}".encode()).hexdigest()


def viewer_pseudonym(block: Any) -> str:
    """The viewer's pseudonymous id."""
    return pseudonym_of(viewer_subject(block))


def _in_workbench(block: Any) -> bool:
    return "xblock-workbench.user_id" in _attrs(block)


def name_of(block: Any, subject: str | None) -> str | None:
    """A learner's name for course staff, from the platform's id for them; None if unknown.

    Open edX's user service answers it (its full name, else the username); the workbench
    knows its users only by their id, which is then their name.
    """
    if not subject:
        return None
    if _in_workbench(block):
        return subject
    try:
        user = block.runtime.service(block, "user").get_user_by_anonymous_id(subject)
    except Exception:  # an older platform, or a fault: the page says "Learner ..." instead
        log.warning("a learner's name could not be read", exc_info=True)
        return None
    if user is None:
        return None
    profile = getattr(user, "profile", None)
    return str(getattr(profile, "name", "") or getattr(user, "username", "") or "") or None


def subject_of(block: Any, username: str) -> str | None:
    """The platform's id in this course for a username or e-mail (staff only), or None.

    The lookup Open edX's user service offers course staff; the workbench's ids are its
    usernames.
    """
    if _in_workbench(block):
        return username
    try:
        found = block.runtime.service(block, "user").get_anonymous_user_id(
            username, course_id(block)
        )
    except Exception:
        log.warning("a learner could not be looked up", exc_info=True)
        return None
    return str(found) if found else None


def viewer_is_staff(block: Any) -> bool:
    """Whether the viewer is course staff (Open edX's user attribute, or the runtime's)."""
    return bool(_attrs(block).get("edx-platform.user_is_staff")) or bool(
        getattr(block.runtime, "user_is_staff", False)
    )


def course_id(block: Any) -> str:
    """The course the block sits in ("" outside a course)."""
    return str(getattr(block.runtime, "course_id", "") or "")


def _django_buckets() -> dict[str, Any]:
    from django.conf import settings

    return dict(getattr(settings, "XBLOCK_SETTINGS", {}) or {})


def _merged(opes: dict[str, Any], legacy: dict[str, Any]) -> dict[str, Any]:
    global _warned
    if legacy and not _warned:
        _warned = True
        log.warning(
            "XBLOCK_SETTINGS[%r] is deprecated: move its keys to XBLOCK_SETTINGS[%r], "
            "which every OPES block reads",
            LEGACY_BUCKET,
            BUCKET,
        )
    return {**legacy, **opes}


def block_settings(block: Any) -> dict[str, Any]:
    """The site's OPES settings as the runtime's settings service gives them to ``block``."""
    service = block.runtime.service(block, "settings")
    opes = (service.get_settings_bucket(block) if service else None) or {}
    return _merged(dict(opes), dict(_django_buckets().get(LEGACY_BUCKET) or {}))


def site_settings() -> dict[str, Any]:
    """The same settings outside any block (the send command, the outbox app)."""
    buckets = _django_buckets()
    return _merged(dict(buckets.get(BUCKET) or {}), dict(buckets.get(LEGACY_BUCKET) or {}))


def teams(block: Any) -> Any | None:
    """The course's teams service, where the platform offers one (the group exercise)."""
    from xblock.exceptions import NoSuchServiceError

    try:
        return block.runtime.service(block, "teams")
    except NoSuchServiceError:  # the workbench, or a platform with teams turned off
        return None


def learner_team(block: Any, teamset: str) -> tuple[str, str] | None:
    """The viewer's team in the course's ``teamset`` (id, name), or None.

    None without a teams service, a teamset, a platform user or a team: the block then
    forms its own groups. The lookup is the one ORA's team assignments make.
    """
    service = teams(block) if teamset else None
    anonymous = _attrs(block).get("edx-platform.anonymous_user_id")
    if service is None or not anonymous:
        return None
    try:
        user = block.runtime.service(block, "user").get_user_by_anonymous_id(anonymous)
        team = service.get_team(user, course_id(block), teamset) if user is not None else None
    except Exception:  # a platform fault must not break the learner's page
        log.warning("the course's teams could not be read", exc_info=True)
        return None
    if team is None:
        return None
    return str(team.team_id)[:100], str(getattr(team, "name", "") or "")[:100]


def outbox_installed() -> bool:
    """Whether the LMS runs the blocks' outbox app (the durable way events leave)."""
    from django.apps import apps

    return bool(apps.is_installed("opes_xblocks.outbox"))
