"""Who is asking, their role in a community, and the one error every record raises.

Every change to a community's records goes through :func:`require`, so the LTI pages
and the block's calls check the same rights (:mod:`.rules`) the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy.orm import Session

from opes_lti.communities import services as communities
from opes_lti.communities.models import Community
from opes_lti.communities.rules import Right, Role, may, role_of

Problem = Literal[
    "no_such_practice", "not_allowed", "wrong_state", "incomplete", "comment_needed",
    "file_too_large", "file_kind", "no_such_file", "no_such_member", "no_such_meeting",
    "wrong_code", "code_window", "not_started", "bad_mark", "no_such_record", "bad_date",
]  # fmt: skip
STATUS: dict[Problem, int] = {
    "no_such_practice": 404,
    "not_allowed": 403,
    "wrong_state": 409,
    "incomplete": 422,
    "comment_needed": 422,
    "file_too_large": 413,
    "file_kind": 415,
    "no_such_file": 404,
    "no_such_member": 404,
    "no_such_meeting": 404,
    "wrong_code": 422,
    "code_window": 409,
    "not_started": 409,
    "bad_mark": 422,
    "no_such_record": 404,
    "bad_date": 422,
}


class RecordError(Exception):
    """What stops a change to a community's records, as a code (pages word it)."""

    def __init__(self, what: Problem, detail: str = "") -> None:
        super().__init__(f"{what}: {detail}" if detail else what)
        self.what = what
        self.detail = detail
        self.status = STATUS[what]


@dataclass(frozen=True)
class Asker:
    """Who is asking: their pseudonym, and whether they coordinate every community."""

    user: str
    national: bool = False


def role(db: Session, community: Community, asker: Asker) -> Role:
    """The asker's role in ``community``."""
    found = communities.membership(db, community, asker.user)
    return role_of(asker.national, found.role if found else None)


def require(db: Session, community: Community, asker: Asker, right: Right) -> Role:
    """The asker's role, if it has ``right``; else :class:`RecordError`."""
    held = role(db, community, asker)
    if not may(held, right):
        raise RecordError("not_allowed", right)
    return held


def appoint(
    db: Session, community: Community, asker: Asker, number: int, coordinator: bool
) -> None:
    """A national coordinator makes a member the community's coordinator, or not.

    ``number`` is the member's number as the members' list shows it.
    """
    require(db, community, asker, "appoint")
    current = communities.members(db, community)
    if not 1 <= number <= len(current):
        raise RecordError("no_such_member", str(number))
    current[number - 1].role = "coordinator" if coordinator else "member"
