"""Valid outcome events of every type, as the JSON a sender would post."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime
from typing import Any

from opes_lti.competencies import builtin
from opes_lti.competencies.framework import Area, Competency, Framework, Text
from opes_lti.lti.registrations import PlatformSpec

PAYLOADS: dict[str, dict[str, Any]] = {
    "self_assessment.submitted": {
        "framework": "opes-progettazione",
        "framework_version": "1.0",
        "competency": "needs-analysis",
        "area": "project-design",
        "level": 3,
        "max_level": 5,
        "phase": "pre",
    },
    "group_exercise.submitted": {
        "exercise": "ex-logframe",
        "group": "g-7",
        "submission": "s-1",
        "members": 4,
    },
    "group_exercise.reviewed": {
        "exercise": "ex-logframe",
        "group": "g-7",
        "submission": "s-1",
        "review": "r-1",
        "reviewer": "peer",
        "rating": 8,
    },
    "group_exercise.graded": {
        "exercise": "ex-logframe",
        "group": "g-7",
        "submission": "s-1",
        "score": 27.5,
        "max_score": 30,
    },
    "community.joined": {"community": "inclusione"},
    "community.practice_shared": {
        "community": "inclusione",
        "practice": "p-12",
        "title": "Sportello di ascolto «di quartiere»",
        "theme": "welfare",
    },
    "community.meeting_attended": {
        "community": "inclusione",
        "meeting": "m-3",
        "sequence": 3,
        "mode": "in_person",
    },
    "community.partnership_recorded": {
        "community": "inclusione",
        "partnership": "pt-4",
        "partner_kind": "public_administration",
        "partner": "Comune di Bari",
        "instrument": "co_design",
        "region": "16",
    },
    "community.intervention_recorded": {
        "community": "inclusione",
        "intervention": "i-2",
        "title": "Doposcuola solidale",
        "regions": ["16", "15"],
    },
    "community.record_withdrawn": {"community": "inclusione", "record": "practice", "id": "p-7"},
    "learner.profile_updated": {"role": "volunteer", "organisation": "aps-12", "region": "16"},
}


def event_json(
    type_: str = "self_assessment.submitted", *, source: str = "tool-a", **overrides: Any
) -> dict[str, Any]:
    """A valid event of ``type_``; keyword arguments replace top-level fields."""
    data: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "type": type_,
        "schema_version": "1.0",
        "occurred_at": datetime(2026, 5, 4, 10, 30, tzinfo=UTC).isoformat(),
        "source": source,
        "actor": {"id": "u-9f2c", "role": "volunteer", "organisation": "aps-12", "region": "16"},
        "context": {
            "platform": "moodle",
            "platform_id": "https://moodle.example.it",
            "course": "c-101",
            "activity": "a-1",
        },
        "payload": dict(PAYLOADS[type_]),
    }
    data.update(overrides)
    return data


def platform_spec(issuer: str = "https://lms.example.it", **overrides: Any) -> PlatformSpec:
    """A registration of a platform at ``issuer`` (its URLs under it); fields replaceable."""
    values: dict[str, Any] = {
        "name": "p",
        "issuer": issuer,
        "client_id": "c",
        "auth_login_url": f"{issuer}/auth",
        "auth_token_url": f"{issuer}/token",
        "key_set_url": f"{issuer}/jwks",
        "deployment_ids": ("1",),
    }
    return PlatformSpec(**(values | overrides))


def platform_args(spec: PlatformSpec) -> list[str]:
    """``spec`` as the options of ``opes-lti platforms add`` (deployments last)."""
    args = ["--name", spec.name, "--issuer", spec.issuer, "--client-id", spec.client_id]
    args += ["--login-url", spec.auth_login_url, "--token-url", spec.auth_token_url]
    args += ["--jwks-url", spec.key_set_url]
    for deployment in spec.deployment_ids:
        args += ["--deployment", deployment]
    return args


def tiny_framework(**changes: object) -> Framework:
    """A two-level framework of one competence, with fields replaceable."""
    competency = Competency(
        code="A.1",
        title=Text("Ascolto", "Listening"),
        description=Text("Ascoltare i destinatari", ""),
        descriptors=(Text("poco", "little"), Text("molto", "a lot")),
        targets={"manager": 2},
    )
    values = {
        "id": "tiny",
        "version": "1",
        "title": Text("Piccolo", "Tiny"),
        "scope": "person",
        "levels": (Text("Base", "Basic"), Text("Alto", "High")),
        "areas": (Area("A", Text("Area A", "Area A"), (competency,)),),
    }
    return Framework(**(values | changes))  # type: ignore[arg-type]


def enti_pugliesi() -> Framework:
    """A shipped framework under another id and title, as an administrator would add one."""
    return dataclasses.replace(
        builtin.load("opes-organizzazione"), id="ets-puglia", title=Text("Enti pugliesi")
    )
