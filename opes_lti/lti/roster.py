"""Course rosters from Names and Role Provisioning Services, cached in the launch store."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy.orm import Session

from opes_lti.lti.launch import Launch
from opes_lti.lti.services import PlatformServices
from opes_lti.lti.store import LaunchStore
from opes_lti.lti.toolconf import DatabaseToolConf

NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
MEMBERSHIP_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
#: Rosters change slowly; groups are formed from a copy at most this old.
CACHE_SECONDS = 600


class NoRosterService(Exception):
    """The launch carried no NRPS endpoint."""


@dataclass(frozen=True)
class Member:
    """One person in the course, as the platform lists them."""

    user_id: str
    roles: tuple[str, ...]
    status: str = "Active"
    name: str = ""

    @property
    def is_learner(self) -> bool:
        """Learners are who groups are formed from."""
        return any(r.rsplit("#", 1)[-1].rsplit("/", 1)[-1] == "Learner" for r in self.roles)


def has_roster(launch: Launch) -> bool:
    """Whether the platform offers the course roster."""
    return bool((launch.claims.get(NRPS_CLAIM) or {}).get("context_memberships_url"))


def _member(raw: dict[str, Any]) -> Member:
    return Member(
        user_id=str(raw["user_id"]),
        roles=tuple(raw.get("roles") or ()),
        status=str(raw.get("status") or "Active"),
        name=str(raw.get("name") or ""),
    )


def fetch(db: Session, store: LaunchStore, launch: Launch, refresh: bool = False) -> list[Member]:
    """Every member of the launch's course, following the platform's pages."""
    if not has_roster(launch):
        raise NoRosterService(launch.platform.issuer)
    url = launch.claims[NRPS_CLAIM]["context_memberships_url"]
    key = "nrps:" + hashlib.sha256(f"{launch.platform.id} {url}".encode()).hexdigest()
    if not refresh and (cached := store.get(key)):
        return [Member(**{**m, "roles": tuple(m["roles"])}) for m in cached["members"]]
    services = PlatformServices(DatabaseToolConf(db).registration(launch.platform))
    members: dict[str, Member] = {}
    for page in services.paged(url, [NRPS_SCOPE], MEMBERSHIP_TYPE):
        for raw in page.get("members") or []:
            if raw.get("user_id"):
                member = _member(raw)
                members[member.user_id] = member
    roster = list(members.values())
    store.put(key, {"members": [asdict(m) for m in roster]}, CACHE_SECONDS)
    return roster
