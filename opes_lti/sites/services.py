"""Site tokens, and who a block's call acts for."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from opes_lti.core.tokens import Caller, Registry
from opes_lti.sites.models import Site

TOKEN_PREFIX = "opes_site_"  # noqa: S105 - a public marker, not a secret
#: The headers a block sends with every call: who it acts for, in which course.
ACTOR, ROLE, COURSE = "X-OPES-Actor", "X-OPES-Role", "X-OPES-Course"
Role = Literal["learner", "staff"]
_PSEUDONYM = re.compile(r"[0-9a-f]{64}")
#: Printable ASCII, as HTTP headers and Open edX course ids are; no space at either end
#: (the outcome events' identifiers refuse one, and a course id never has one).
_COURSE = re.compile(r"[!-~](?:[ -~]{0,198}[!-~])?")


class SiteError(ValueError):
    """A site operation that cannot be done, with a message for the operator."""


REGISTRY = Registry(Site, TOKEN_PREFIX, "site", SiteError)


@dataclass(frozen=True)
class BlockCall:
    """One call of a block: the site it comes from, the learner and course it acts for.

    Everything a block reads or writes through the API is keyed by ``site`` and
    ``course``, so one site never reaches another site's courses.
    """

    site: Caller
    actor: str
    role: Role
    course: str


class ActingError(ValueError):
    """The acting headers are missing or malformed; the message names the header."""


def acting(site: Caller, headers: Mapping[str, str]) -> BlockCall:
    """The call's learner, role and course from its headers, each checked."""
    headers = {name.lower(): value for name, value in headers.items()}  # HTTP ignores case
    actor = headers.get(ACTOR.lower(), "")
    if not _PSEUDONYM.fullmatch(actor):
        raise ActingError(f"{ACTOR}: the learner's pseudonymous id (64 hex characters)")
    role = headers.get(ROLE.lower(), "")
    if role not in ("learner", "staff"):
        raise ActingError(f"{ROLE}: learner or staff")
    course = headers.get(COURSE.lower(), "")
    if not _COURSE.fullmatch(course):
        raise ActingError(
            f"{COURSE}: the course id (1 to 200 printable ASCII characters, no space at the ends)"
        )
    return BlockCall(site, actor, "staff" if role == "staff" else "learner", course)
