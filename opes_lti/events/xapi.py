"""Outcome events written as xAPI 1.0.3 statements, so any learning record store can take them.

Verbs follow DESIGN.md: *responded* (a Likert interaction) for self-assessments, the group as
``context.team`` for group work, *posted* for what a member contributes to a community.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from opes_lti.events.domain import (
    CommunityJoined,
    GroupExerciseGraded,
    GroupExerciseReviewed,
    GroupExerciseSubmitted,
    InterventionRecorded,
    LearnerProfileUpdated,
    MeetingAttended,
    OutcomeEvent,
    PartnershipRecorded,
    PracticeShared,
    RecordWithdrawn,
    SelfAssessmentSubmitted,
)

XAPI_VERSION = "1.0.3"

_VERBS: dict[str, tuple[str, str, str]] = {
    # key: (IRI, en-US, it-IT)
    "responded": ("http://adlnet.gov/expapi/verbs/responded", "responded", "ha risposto"),
    "submitted": ("http://activitystrea.ms/schema/1.0/submit", "submitted", "ha consegnato"),
    "reviewed": ("http://id.tincanapi.com/verb/reviewed", "reviewed", "ha revisionato"),
    "scored": ("http://adlnet.gov/expapi/verbs/scored", "scored", "ha valutato"),
    "joined": ("http://activitystrea.ms/schema/1.0/join", "joined", "si è unito a"),
    "attended": ("http://adlnet.gov/expapi/verbs/attended", "attended", "ha partecipato a"),
    "posted": ("https://w3id.org/xapi/acrossx/verbs/posted", "posted", "ha pubblicato"),
    "updated": ("http://activitystrea.ms/schema/1.0/update", "updated", "ha aggiornato"),
    "retracted": ("http://activitystrea.ms/schema/1.0/retract", "retracted", "ha ritirato"),
}

_ACTIVITY_TYPES = {
    "interaction": "http://adlnet.gov/expapi/activities/cmi.interaction",
    "course": "http://adlnet.gov/expapi/activities/course",
    "assessment": "http://adlnet.gov/expapi/activities/assessment",
    "community": "http://id.tincanapi.com/activitytype/community-site",
    "meeting": "http://adlnet.gov/expapi/activities/meeting",
    "file": "http://adlnet.gov/expapi/activities/file",
    "review": "http://id.tincanapi.com/activitytype/review",
    "profile": "http://id.tincanapi.com/activitytype/user-profile",
    "practice": "http://id.tincanapi.com/activitytype/resource",
    "partnership": "https://w3id.org/xapi/opes/activities/partnership",
    "intervention": "https://w3id.org/xapi/opes/activities/intervention",
}


class XapiMapper:
    """Writes statements whose IRIs live under ``base_iri`` (the sender's public URL)."""

    def __init__(self, base_iri: str) -> None:
        self.base = base_iri.rstrip("/")
        self.ext = f"{self.base}/xapi/extensions/"

    def iri(self, *parts: str) -> str:
        """An activity IRI made of URL-quoted parts."""
        return "/".join([self.base, "xapi", *(quote(p, safe="") for p in parts)])

    def activity(self, kind: str, *parts: str, name: str | None = None) -> dict[str, Any]:
        """An xAPI Activity object."""
        definition: dict[str, Any] = {"type": _ACTIVITY_TYPES[kind]}
        if name:
            definition["name"] = {"und": name}
        return {"objectType": "Activity", "id": self.iri(kind, *parts), "definition": definition}

    def statement(self, event: OutcomeEvent) -> dict[str, Any]:
        """The xAPI statement for one event; its id is the event's id."""
        verb, obj, result, extra = self._parts(event)
        iri, en, it = _VERBS[verb]
        context: dict[str, Any] = {
            "platform": event.context.platform,
            "extensions": {
                self.ext + "schema-version": event.schema_version,
                self.ext + "event-type": event.type,
                self.ext + "source": event.source,
            },
        }
        actor_ext = {
            k: v
            for k, v in (
                ("role", event.actor.role),
                ("organisation", event.actor.organisation),
                ("region", event.actor.region),
            )
            if v is not None
        }
        if actor_ext:
            context["extensions"][self.ext + "actor-profile"] = actor_ext
        parents = []
        if event.context.course:
            parents.append(self.activity("course", event.context.course))
        grouping = []
        if (community := getattr(event.payload, "community", None)) is not None:
            grouping.append(self.activity("community", community))
        if parents or grouping:
            context["contextActivities"] = {}
            if parents:
                context["contextActivities"]["parent"] = parents
            if grouping:
                context["contextActivities"]["grouping"] = grouping
        for key, value in extra.pop("context_extensions", {}).items():
            context["extensions"][self.ext + key] = value
        context.update(extra)
        statement: dict[str, Any] = {
            "id": str(event.id),
            "actor": {
                "objectType": "Agent",
                "account": {"homePage": self.base, "name": event.actor.id},
            },
            "verb": {"id": iri, "display": {"en-US": en, "it-IT": it}},
            "object": obj,
            "context": context,
            "timestamp": event.occurred_at.isoformat().replace("+00:00", "Z"),
            "version": XAPI_VERSION,
        }
        if result:
            statement["result"] = result
        return statement

    def _team(self, group: str) -> dict[str, Any]:
        # An identified group: xAPI wants an inverse functional identifier, the account.
        return {"objectType": "Group", "account": {"homePage": self.base, "name": group}}

    def _parts(
        self, event: OutcomeEvent
    ) -> tuple[str, dict[str, Any], dict[str, Any], dict[str, Any]]:
        p = event.payload
        match event:
            case SelfAssessmentSubmitted(payload=p):
                obj = self.activity("interaction", p.framework, p.competency)
                obj["definition"]["interactionType"] = "likert"
                obj["definition"]["scale"] = [
                    {"id": str(level), "description": {"und": str(level)}}
                    for level in range(0, p.max_level + 1)
                ]
                result: dict[str, Any] = {
                    "response": str(p.level),
                    "score": {
                        "raw": p.level,
                        "min": 0,
                        "max": p.max_level,
                        "scaled": round(p.level / p.max_level, 4),
                    },
                    "completion": True,
                }
                ext: dict[str, Any] = {
                    "phase": p.phase,
                    "framework-version": p.framework_version,
                    "scope": p.scope,
                }
                if p.area:
                    ext["area"] = p.area
                if p.organisation:
                    ext["organisation"] = p.organisation
                return "responded", obj, result, {"context_extensions": ext}
            case GroupExerciseSubmitted(payload=p):
                obj = self.activity("file", p.exercise, p.submission)
                return (
                    "submitted",
                    obj,
                    {"completion": True},
                    {"team": self._team(p.group), "context_extensions": {"members": p.members}},
                )
            case GroupExerciseReviewed(payload=p):
                obj = self.activity("file", p.exercise, p.submission)
                result = {}
                if p.rating is not None:
                    result["score"] = {"raw": p.rating, "min": 0, "max": 10}
                return (
                    "reviewed",
                    obj,
                    result,
                    {
                        "team": self._team(p.group),
                        "context_extensions": {"reviewer": p.reviewer, "review": p.review},
                    },
                )
            case GroupExerciseGraded(payload=p):
                obj = self.activity("file", p.exercise, p.submission)
                result = {
                    "score": {
                        "raw": p.score,
                        "min": 0,
                        "max": p.max_score,
                        "scaled": round(p.score / p.max_score, 4),
                    }
                }
                return "scored", obj, result, {"team": self._team(p.group)}
            case CommunityJoined(payload=p):
                return "joined", self.activity("community", p.community), {}, {}
            case PracticeShared(payload=p):
                obj = self.activity("practice", p.community, p.practice, name=p.title)
                ext = {"theme": p.theme} if p.theme else {}
                return "posted", obj, {}, {"context_extensions": ext}
            case MeetingAttended(payload=p):
                obj = self.activity("meeting", p.community, p.meeting)
                ext = {"mode": p.mode}
                if p.sequence is not None:
                    ext["sequence"] = p.sequence
                return "attended", obj, {}, {"context_extensions": ext}
            case PartnershipRecorded(payload=p):
                obj = self.activity("partnership", p.partnership, name=p.partner)
                ext = {"partner-kind": p.partner_kind}
                if p.instrument:
                    ext["instrument"] = p.instrument
                if p.region:
                    ext["region"] = p.region
                return "posted", obj, {}, {"context_extensions": ext}
            case InterventionRecorded(payload=p):
                obj = self.activity("intervention", p.community, p.intervention, name=p.title)
                ext = {"regions": list(p.regions), "status": p.status}
                return "posted", obj, {}, {"context_extensions": ext}
            case RecordWithdrawn(payload=p):
                # The record's own activity, so a store can find what is taken back.
                if p.record == "attendance":
                    obj = self.activity("meeting", p.community or "", p.id)
                elif p.record == "partnership":
                    obj = self.activity("partnership", p.id)
                else:
                    obj = self.activity(p.record, p.community or "", p.id)
                return "retracted", obj, {}, {"context_extensions": {"record": p.record}}
            case LearnerProfileUpdated(payload=p):
                obj = self.activity("profile", event.actor.id)
                ext = p.model_dump(exclude_none=True)
                return "updated", obj, {}, {"context_extensions": ext}
        raise TypeError(f"no xAPI mapping for {type(event).__name__}")  # pragma: no cover


def to_xapi(event: OutcomeEvent, base_iri: str) -> dict[str, Any]:
    """Shortcut: one event to one statement."""
    return XapiMapper(base_iri).statement(event)
