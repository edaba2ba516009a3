"""Random programmes of events, and emptying the rollups between examples."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from opes_lti.competencies import gain
from opes_lti.competencies.gain import Answer
from opes_lti.core.db import Database
from opes_lti.dashboard import gap, reach, targets
from opes_lti.dashboard.models import Fact, GapCell, GapPair, Membership, RollupMark
from opes_lti.reporting import sources
from opes_lti.reporting.models import StoredEvent, Uncounted
from tests.support.factories import event_json
from tests.support.stats import assert_same_figures

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


def graded(learner: int, exercise: int, group: int, score: float) -> dict[str, Any]:
    """A member's grade in a group exercise (one event per member, regrading sends anew)."""
    return event_json(
        "group_exercise.graded",
        actor={"id": f"l{learner}"},
        payload={
            "exercise": f"e{exercise}",
            "group": f"g{group}",
            "submission": f"s{exercise}-{group}",
            "score": score,
            "max_score": 100,
        },
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
    # Groups of the learners, graded member by member, some graded twice.
    for _ in range(rnd.randint(0, 4)):
        exercise, group = rnd.randrange(2), rnd.randrange(3)
        for member in rnd.sample(range(learners), k=rnd.randint(1, min(3, learners))):
            events += [graded(member, exercise, group, rnd.uniform(0, 100))
                       for _ in range(rnd.randint(1, 2))]  # fmt: skip
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


def expected_gap(
    events: list[dict[str, Any]], filters: gap.Filters
) -> dict[tuple[str, str, str], gain.CellStats]:
    """The reference: gain.py on the raw events, then the view's filters on the pairs."""
    unique = {e["id"]: e for e in events if e["type"] == "self_assessment.submitted"}
    ordered = sorted(
        unique.values(), key=lambda e: (datetime.fromisoformat(e["occurred_at"]), e["id"])
    )
    members: dict[str, set[str]] = {}
    for e in events:
        if e["type"] == "community.joined":
            members.setdefault(e["actor"]["id"], set()).add(e["payload"]["community"])
    answers, latest_post, latest_pre = [], {}, {}
    for e in ordered:
        p = e["payload"]
        key = (e["actor"]["id"], f"{p['area']}|{p['competency']}|{e['context']['course']}")
        answers.append(
            Answer(key[0], key[1], p["phase"], p["level"], p["max_level"], e["actor"]["role"])
        )
        (latest_post if p["phase"] == "post" else latest_pre)[key] = e
    cells: dict[tuple[str, str, str], list[gain.Pair]] = {}
    for pair in gain.match_pairs(answers):
        post = latest_post[(pair.learner, pair.competency)]
        at = datetime.fromisoformat(post["occurred_at"])
        dims = {
            "region": post["actor"]["region"],
            "organisation": post["actor"]["organisation"],
            "role": post["actor"]["role"],
            "course": post["context"]["course"],
            "platform": post["context"]["platform"],
        }
        if any(getattr(filters, d) not in (None, v) for d, v in dims.items()):
            continue
        if filters.community and filters.community not in members.get(pair.learner, set()):
            continue
        if (filters.since and f"{at:%Y-%m}" < filters.since) or (
            filters.until and f"{at:%Y-%m}" > filters.until
        ):
            continue
        area, code, _ = pair.competency.split("|")
        cells.setdefault((FRAMEWORK, area, code), []).append(pair)
    return {
        key: gain.aggregate(pairs, targets.of(FRAMEWORK, key[2]), k=1)
        for key, pairs in cells.items()
    }


def expected_counts(events: list[dict[str, Any]]) -> dict[str, int]:
    unique = {e["id"]: e for e in events}.values()
    answered = {
        (e["actor"]["id"], e["context"]["course"], e["payload"]["framework"], e["payload"]["phase"])
        for e in unique
        if e["type"] == "self_assessment.submitted"
    }
    before = {a[:3] for a in answered if a[3] == "pre"}
    after = {a[:3] for a in answered if a[3] == "post"}
    return {
        "learners": len({e["actor"]["id"] for e in unique}),
        "pre": len(before),
        "post": len(after),
        "members": len(
            {
                (e["actor"]["id"], e["payload"]["community"])
                for e in unique
                if e["type"] == "community.joined"
            }
        ),
        "waiting": len(before - after),
        "groups_graded": len(
            {
                (e["payload"]["exercise"], e["payload"]["submission"])
                for e in unique
                if e["type"] == "group_exercise.graded"
            }
        ),
        "members_graded": len(
            {
                (e["actor"]["id"], e["payload"]["exercise"])
                for e in unique
                if e["type"] == "group_exercise.graded"
            }
        ),
    }


def assert_views_match(db: Any, events: list[dict[str, Any]], views: list[gap.Filters]) -> None:
    """Every view, read from the rollups, equals gain.py on ``events``."""

    for view in views:
        got = gap.cells(db, reach.national(), view)
        expected = expected_gap(events, view)
        assert set(got) == set(expected), view
        for key, sums in got.items():
            assert_same_figures(sums.stats(k=1), expected[key], (view, key))
