"""Where an outcome event from a launch happened, as the reporting service groups it."""

from __future__ import annotations

from dataclasses import dataclass

from opes_lti.events.domain import Context
from opes_lti.lti.launch import Launch


@dataclass(frozen=True)
class PlacementKey:
    """Which placed activity a launch opens: platform, course, resource link."""

    platform_id: int
    context_id: str
    resource_link_id: str

    @classmethod
    def of(cls, launch: Launch) -> PlacementKey:
        """The placement ``launch`` opens."""
        return cls(
            launch.platform.id,
            str(launch.context.get("id") or ""),
            str(launch.resource_link.get("id") or ""),
        )


def context_of(launch: Launch) -> Context:
    """The event context of ``launch``: the platform, the course, the placed activity."""
    key = PlacementKey.of(launch)
    return Context(
        platform="lti",
        platform_id=launch.platform.issuer[:200],
        course=key.context_id[:200] or None,
        activity=key.resource_link_id[:200] or None,
    )
