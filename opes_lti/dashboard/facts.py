"""What each event adds to the overview's facts (pure: a stored event's fields in, facts out).

A fact is a distinct thing counted once: a learner, an organisation, a questionnaire
answered before or after a course, a group's hand-in, a meeting held, a practice.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from opes_lti.events.domain import fitted

#: Kinds the follow-up page derives: a questionnaire answered before, not yet after.
AWAITING = "awaiting_post"


@dataclass(frozen=True)
class FactRow:
    """One fact with its dimensions (empty strings where the event said nothing)."""

    kind: str
    key: str
    at: datetime
    learner: str = ""
    region: str = ""
    organisation: str = ""
    community: str = ""
    course: str = ""
    platform: str = ""
    variant: str = ""
    detail: dict[str, Any] = field(default_factory=dict)

    def row(self) -> dict[str, Any]:
        """As a table row."""
        return {
            "kind": self.kind,
            "key": _fitted(self.key),
            "at": self.at,
            "month": f"{self.at:%Y-%m}",
            "learner": self.learner,
            "region": self.region,
            "organisation": self.organisation,
            "community": self.community,
            "course": self.course,
            "platform": self.platform,
            "variant": self.variant,
            "detail": self.detail,
        }


def _fitted(key: str) -> str:
    # Ids may be long (200 characters each): a key of several fits the column.
    return fitted(key, 420)


def of(event: Any, payload: Mapping[str, Any]) -> Iterator[FactRow]:
    """The facts one stored event shows (``event``: its row; ``payload``: its payload)."""
    who = {
        "learner": event.actor_id,
        "region": event.region or "",
        "organisation": event.organisation or "",
        "course": event.course or "",
        "platform": event.platform or "",
    }
    at = event.occurred_at
    yield FactRow("learner", event.actor_id, at, **who | {"course": "", "platform": ""})
    if event.organisation:
        yield FactRow("organisation", event.organisation, at, **who | {"learner": ""})
    if event.region:
        yield FactRow("region", event.region, at, region=event.region)
    if event.course:
        yield FactRow("course", f"{event.platform}|{event.course}", at, **who | {"learner": ""})
    kind = event.type
    if kind == "self_assessment.submitted":
        subject = payload.get("organisation") if payload.get("scope") == "organisation" else None
        key = f"{subject or event.actor_id}|{event.course or ''}|{payload['framework']}"
        phase = "sa_pre" if payload["phase"] == "pre" else "sa_post"
        variant = payload.get("scope", "person")
        yield FactRow(phase, key, at, **who, variant=variant)
    elif kind.startswith("group_exercise."):
        step = {"submitted": "group_submitted", "reviewed": "group_reviewed"}.get(
            kind.split(".")[1], "group_graded"
        )
        yield FactRow(step, f"{payload['exercise']}|{payload['submission']}", at, **who)
        if step == "group_graded":
            # One graded event per member: the people graded, not only the groups.
            yield FactRow(
                "group_member_graded", f"{event.actor_id}|{payload['exercise']}", at, **who
            )
    elif kind == "community.joined":
        community = payload["community"]
        yield FactRow("member", f"{event.actor_id}|{community}", at, **who, community=community)
    elif kind == "community.meeting_attended":
        community, meeting = payload["community"], payload["meeting"]
        place = {**who, "community": community, "variant": payload["mode"]}
        yield FactRow("meeting", f"{community}|{meeting}", at, **place | {"learner": ""})
        yield FactRow("attendance", f"{event.actor_id}|{community}|{meeting}", at, **place)
    elif kind == "community.practice_shared":
        community = payload["community"]
        detail = {"title": payload["title"], "theme": payload.get("theme")}
        yield FactRow(
            "practice",
            f"{community}|{payload['practice']}",
            at,
            **who,
            community=community,
            detail=detail,
        )
    elif kind == "community.partnership_recorded":
        detail = {k: payload.get(k) for k in ("partner", "partner_kind", "instrument", "region")}
        place = who | {
            "community": payload.get("community") or "",
            "variant": payload["partner_kind"],
        }
        yield FactRow("partnership", payload["partnership"], at, **place, detail=detail)
    elif kind == "community.intervention_recorded":
        detail = {k: payload.get(k) for k in ("title", "regions", "status")}
        yield FactRow(
            "intervention",
            payload["intervention"],
            at,
            **who,
            community=payload["community"],
            variant=payload.get("status", "started"),
            detail=detail,
        )


#: The fact each kind of withdrawn record was counted as.
_WITHDRAWN_KEYS = {
    "practice": lambda actor, community, id_: f"{community}|{id_}",
    "attendance": lambda actor, community, id_: f"{actor}|{community}|{id_}",
    "partnership": lambda actor, community, id_: id_,
    "intervention": lambda actor, community, id_: id_,
}


def withdrawn(event: Any, payload: Mapping[str, Any]) -> tuple[str, str] | None:
    """The fact a correction takes back, as (kind, key), or None for any other event.

    A meeting stays held when one attendance is withdrawn: only the attendance goes.
    """
    if event.type != "community.record_withdrawn":
        return None
    record = payload["record"]
    key = _WITHDRAWN_KEYS[record](event.actor_id, payload.get("community") or "", payload["id"])
    return record, key


def stored_key(key: str) -> str:
    """A fact's key as the facts table holds it."""
    return _fitted(key)
