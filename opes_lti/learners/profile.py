"""The learner profile, pure: the LTI tool and the XBlock clean it the same way."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from opes_lti.events.domain import Actor
from opes_lti.regions import REGIONS

ROLES = ("manager", "volunteer", "staff")
#: Custom parameters a platform or designer may send to prefill the profile.
PREFILL_KEYS = {"role": "opes_role", "organisation": "opes_organisation", "region": "opes_region"}
_BLANKS = re.compile(r"\s+")


class ProfileError(ValueError):
    """A profile field that cannot be stored; ``field`` names it."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)


@dataclass(frozen=True)
class Profile:
    """A learner's profile; None is a field they skipped."""

    role: str | None = None
    organisation: str | None = None
    region: str | None = None

    def actor(self, user: str) -> Actor:
        """The event actor for this learner."""
        # Validated as the event is: clean() checked the fields, this says so to mypy.
        return Actor.model_validate({"id": user, **self.as_dict()})

    def as_dict(self) -> dict[str, str | None]:
        """For storage in a JSON field."""
        return {"role": self.role, "organisation": self.organisation, "region": self.region}


def clean(raw: Mapping[str, Any]) -> Profile:
    """A profile from form values; :class:`ProfileError` names the first bad field."""
    role = str(raw.get("role") or "").strip() or None
    if role is not None and role not in ROLES:
        raise ProfileError("role", "unknown role")
    # One printable line: the events carry it, and their schema refuses control characters.
    spaced = _BLANKS.sub(" ", str(raw.get("organisation") or ""))
    organisation = "".join(ch for ch in spaced if ch.isprintable()).strip() or None
    if organisation is not None and len(organisation) > 200:
        raise ProfileError("organisation", "at most 200 characters")
    region = str(raw.get("region") or "").strip() or None
    if region is not None and region not in REGIONS:
        raise ProfileError("region", "unknown region")
    return Profile(role, organisation, region)


def prefill(custom: Mapping[str, Any]) -> Profile:
    """What the launch's custom parameters say, keeping only values that are valid."""
    values = {}
    for name, key in PREFILL_KEYS.items():
        try:
            values[name] = getattr(clean({name: custom.get(key)}), name)
        except ProfileError:
            values[name] = None
    return Profile(**values)
