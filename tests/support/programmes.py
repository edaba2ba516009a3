"""Random programmes of events, and emptying the rollups between examples."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from opes_lti.core.db import Database
from opes_lti.dashboard.models import Fact, GapCell, GapPair, Membership, RollupMark
from opes_lti.reporting import sources
from opes_lti.reporting.models import StoredEvent, Uncounted
from tests.support.factories import event_json

FRAMEWORK = "opes-progettazione"
COMPETENCES = [("PS", "PS.1"), ("PS", "PS.2"), ("GO", "GO.1")]
START = datetime(2026, 3, 30, 12, tzinfo=UTC)
PEOPLE = [
    ("manager", "aps-1", "12"),
    ("volunteer", "aps-1", "12"),
    ("staff", "odv-2", "16"),
    ("volunteer", "odv-2", "16"),
    ("manager", "coop-3", "03"),
]


def answer(rnd: random.Random, learner: int, **fixed: Any) -> dict[str, Any]:
    role, organisation, region = PEOPLE[learner % len(PEOPLE)]
    area, code = rnd.choice(COMPETENCES)
    return event_json(
        occurred_at=(START + timedelta(days=rnd.choice([0, 0, 3, 40]))).isoformat(),
        actor={"id": f"l{learner}", "role": role, "organisation": organisation, "region": region},
        context={
            "platform": rnd.choice(["moodle", "openedx"]),
            "course": rnd.choice(["c-1", "c-2"]),
        },
        payload={
            "framework": FRAMEWORK,
            "framework_version": "2026.1",
            "competency": code,
            "area": area,
            "level": rnd.randint(0, 5),
            "max_level": 5,
            "phase": rnd.choice(["pre", "post"]),
        }
        | fixed,
    )


def joined(learner: int, community: str) -> dict[str, Any]:
    return event_json(
        "community.joined",
        actor={"id": f"l{learner}"},
        payload={"community": community},
        occurred_at=START.isoformat(),
    )


def programme(seed: int) -> list[dict[str, Any]]:
    rnd = random.Random(seed)
    learners = rnd.randint(3, 12)
    events = [answer(rnd, rnd.randrange(learners)) for _ in range(rnd.randint(5, 60))]
    events += [
        joined(rnd.randrange(learners), rnd.choice(["giovani", "welfare"]))
        for _ in range(rnd.randint(0, 6))
    ]
    events += rnd.sample(events, k=len(events) // 5)  # sent again: duplicates
    rnd.shuffle(events)
    return events


def caller(database: Database, events: list[dict[str, Any]], name: str) -> sources.Caller:
    """A new source, named as the sender of ``events``."""
    with database.sessions.begin() as db:
        source = sources.add_source(db, name).row
        caller = sources.Caller(source.id, source.name)
    for e in events:
        e["source"] = caller.name
    return caller


def reset(database: Database) -> None:
    with database.sessions.begin() as db:
        for model in (Uncounted, GapCell, GapPair, Membership, RollupMark, Fact, StoredEvent):
            db.execute(sa.delete(model))
