"""Demo outcome events: a small, plausible programme, the same every time it is made."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from opes_lti.events.domain import OutcomeEvent, parse_event

_NAMESPACE = uuid.UUID("5c1b8f4e-8f7e-4d1e-9a53-0f2d2f7c0a11")
_COMPETENCES = [
    "needs-analysis",
    "logframe",
    "fundraising",
    "budgeting",
    "impact-evaluation",
    "governance",
    "runts",
    "volunteers",
    "co-design",
]
_COMMUNITIES = ["inclusione", "giovani", "sport-sociale", "ambiente", "welfare-territoriale"]
_REGIONS = ["01", "03", "05", "08", "09", "12", "13", "15", "16", "19", "20"]


def demo_events(source: str, learners: int = 40, seed: int = 7) -> Iterator[OutcomeEvent]:
    """Pre and post self-assessments, group work and community activity for ``learners``.

    Ids are derived from the content's position, so making the demo twice yields the same
    events (the reporting service counts the second batch as duplicates).
    """
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    counter = 0

    def event(
        kind: str, actor: dict[str, str], payload: dict[str, object], when: datetime
    ) -> OutcomeEvent:
        nonlocal counter
        counter += 1
        return parse_event(
            {
                "id": str(uuid.uuid5(_NAMESPACE, f"{source}/{counter}")),
                "type": kind,
                "occurred_at": when.isoformat(),
                "source": source,
                "actor": actor,
                "context": {"platform": "lti", "course": "opes-progettazione-2026"},
                "payload": payload,
            }
        )

    for n in range(learners):
        actor = {
            "id": f"demo-{n:03d}",
            "role": rng.choice(["manager", "volunteer", "volunteer", "staff"]),
            "organisation": f"ets-{n % 12:02d}",
            "region": _REGIONS[n % len(_REGIONS)],
        }
        yield event(
            "learner.profile_updated", actor, {k: v for k, v in actor.items() if k != "id"}, start
        )
        for phase, offset in (("pre", 0), ("post", 120)):
            for code in _COMPETENCES:
                pre = rng.randint(1, 3)
                level = pre if phase == "pre" else min(5, pre + rng.randint(0, 2))
                yield event(
                    "self_assessment.submitted",
                    actor,
                    {
                        "framework": "opes-progettazione",
                        "framework_version": "1.0",
                        "competency": code,
                        "level": level,
                        "max_level": 5,
                        "phase": phase,
                    },
                    start + timedelta(days=offset, minutes=n),
                )
        community = _COMMUNITIES[n % len(_COMMUNITIES)]
        yield event(
            "community.joined", actor, {"community": community}, start + timedelta(days=10, hours=n)
        )
        yield event(
            "community.meeting_attended",
            actor,
            {
                "community": community,
                "meeting": f"{community}-1",
                "sequence": 1,
                "mode": "online",
            },
            start + timedelta(days=20),
        )
