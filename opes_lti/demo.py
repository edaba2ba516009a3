"""A demo programme: the same every time for a seed, plausible enough to read a dashboard by.

Five communities, sixty organisations in fourteen regions, learners with roles taking
three courses on two platforms; pre and post self-assessments on the shipped framework
with a gain that depends on the course, some learners still to answer after; managers
assessing their organisation; group exercises handed in, reviewed and graded; community
meetings (five online and one in person planned per community, most held), practices,
partnerships (some with public administrations) and interventions.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from opes_lti.competencies import builtin
from opes_lti.events.domain import OutcomeEvent, parse_event

_NAMESPACE = uuid.UUID("5c1b8f4e-8f7e-4d1e-9a53-0f2d2f7c0a11")
COMMUNITIES = ("inclusione", "giovani", "sport-sociale", "ambiente", "welfare-territoriale")
#: The demo communities as the tool keeps them: short name, name, theme.
COMMUNITY_RECORDS = (
    ("inclusione", "Inclusione sociale", "Persone con disabilità e fragilità"),
    ("giovani", "Giovani e partecipazione", "Protagonismo giovanile e volontariato"),
    ("sport-sociale", "Sport sociale", "Lo sport come strumento di comunità"),
    ("ambiente", "Ambiente e territorio", "Cura dei beni comuni e sostenibilità"),
    ("welfare-territoriale", "Welfare territoriale", "Reti di servizi con gli enti pubblici"),
)
REGIONS = ("01", "03", "05", "07", "08", "09", "12", "13", "14", "15", "16", "18", "19", "20")
ORGANISATIONS = 60
#: Meetings each community plans: five online, then one in person.
PLANNED_MEETINGS = 6
_COURSES = (
    ("opes-progettazione-2026-a", "openedx", 0.55),
    ("opes-progettazione-2026-b", "moodle", 0.40),
    ("opes-progettazione-2026-c", "openedx", 0.25),
)
_START = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)


def organisation(n: int) -> dict[str, str]:
    """The n-th demo organisation: its id, region and community."""
    return {
        "id": f"ets-{n:02d}",
        "region": REGIONS[n % len(REGIONS)],
        "community": COMMUNITIES[n % len(COMMUNITIES)],
    }


class _Maker:
    def __init__(self, source: str) -> None:
        self.source = source

    def __call__(
        self,
        kind: str,
        actor: dict[str, Any],
        payload: dict[str, Any],
        when: datetime,
        context: dict[str, Any] | None = None,
    ) -> OutcomeEvent:
        # The id follows from the content: the same event made again is a duplicate, and a
        # larger demo adds new ids rather than reusing old ones for other content.
        key = json.dumps([self.source, kind, actor, payload, when.isoformat()], sort_keys=True)
        return parse_event(
            {
                "id": str(uuid.uuid5(_NAMESPACE, key)),
                "type": kind,
                "occurred_at": when.isoformat(),
                "source": self.source,
                "actor": actor,
                "context": context or {"platform": "lti"},
                "payload": payload,
            }
        )


def _answers(
    rng: random.Random, framework: Any, gain: float
) -> Iterator[tuple[str, str, int, int]]:
    """(area, code, pre, post) for every competence; post −1 when not answered after."""
    for area in framework.areas:
        for competency in area.competencies:
            top = framework.max_level
            pre = max(1, min(top, round(rng.gauss(2.2, 0.9))))
            room = top - pre
            post = pre + sum(rng.random() < gain for _ in range(room))
            yield area.code, competency.code, pre, post - (rng.random() < 0.05)


def demo_events(source: str, learners: int = 1500, seed: int = 7) -> Iterator[OutcomeEvent]:
    """The programme's events for ``learners`` (about 40 each), deterministic for ``seed``.

    Ids are derived from each event's content, so making the demo twice yields the same
    events (the reporting service counts the second batch as duplicates).
    """
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    make = _Maker(source)
    person = builtin.load("opes-progettazione")
    org_framework = builtin.load("opes-organizzazione")
    members: dict[str, list[dict[str, Any]]] = {c: [] for c in COMMUNITIES}
    assessed_orgs: set[str] = set()
    for n in range(learners):
        org = organisation(n % ORGANISATIONS)
        role = rng.choices(["manager", "volunteer", "staff"], weights=[15, 55, 30])[0]
        actor = {"id": f"demo-{n:05d}", "role": role, "organisation": org["id"]}
        actor["region"] = org["region"]
        course, platform, gain = _COURSES[n % len(_COURSES)]
        context = {"platform": platform, "course": course, "activity": "autovalutazione"}
        joined = _START + timedelta(days=rng.randint(0, 20), minutes=n % 600)
        yield make(
            "learner.profile_updated",
            actor,
            {k: actor[k] for k in ("role", "organisation", "region")},
            joined,
        )
        answered_after = rng.random() < 0.85
        for area, code, pre, post in _answers(rng, person, gain):
            payload = {
                "framework": person.id,
                "framework_version": person.version,
                "competency": code,
                "area": area,
                "max_level": person.max_level,
            }
            yield make(
                "self_assessment.submitted",
                actor,
                payload | {"level": pre, "phase": "pre"},
                joined,
                context,
            )
            if answered_after:
                when = joined + timedelta(days=90 + rng.randint(0, 45))
                level = max(0, min(person.max_level, post))
                yield make(
                    "self_assessment.submitted",
                    actor,
                    payload | {"level": level, "phase": "post"},
                    when,
                    context,
                )
        if role == "manager" and org["id"] not in assessed_orgs:
            assessed_orgs.add(org["id"])
            for area, code, pre, post in _answers(rng, org_framework, gain / 2):
                payload = {
                    "framework": org_framework.id,
                    "framework_version": org_framework.version,
                    "competency": code,
                    "area": area,
                    "max_level": org_framework.max_level,
                    "scope": "organisation",
                    "organisation": org["id"],
                }
                for phase, level, days in (("pre", pre, 0), ("post", max(0, post), 120)):
                    yield make(
                        "self_assessment.submitted",
                        actor,
                        payload | {"level": level, "phase": phase},
                        joined + timedelta(days=days),
                        context,
                    )
        if rng.random() < 0.6:
            members[org["community"]].append(actor)
            yield make(
                "community.joined",
                actor,
                {"community": org["community"]},
                joined + timedelta(days=7),
            )
    yield from _group_work(make, rng, learners)
    yield from _communities(make, rng, members)


def _group_work(make: _Maker, rng: random.Random, learners: int) -> Iterator[OutcomeEvent]:
    for g in range(learners // 5):
        course, platform, _ = _COURSES[g % len(_COURSES)]
        context = {"platform": platform, "course": course, "activity": "esercizio-di-gruppo"}
        leader = {"id": f"demo-{(g * 5) % max(1, learners):05d}"}
        group = f"gruppo-{g:04d}"
        exercise = f"progetto-{course[-1]}"
        when = _START + timedelta(days=60 + g % 30)
        work = {"exercise": exercise, "group": group, "submission": f"{group}-1"}
        yield make("group_exercise.submitted", leader, work | {"members": 5}, when, context)
        if rng.random() < 0.9:
            reviewer = {"id": f"demo-{(g * 5 + 7) % max(1, learners):05d}"}
            review = work | {
                "review": f"{group}-r1",
                "reviewer": "peer",
                "rating": rng.randint(2, 5),
            }
            yield make(
                "group_exercise.reviewed", reviewer, review, when + timedelta(days=3), context
            )
        if rng.random() < 0.8:
            grade = work | {"score": float(rng.randint(55, 100)), "max_score": 100.0}
            yield make(
                "group_exercise.graded",
                {"id": "docente-demo"},
                grade,
                when + timedelta(days=10),
                context,
            )


#: The practice of each community the demo withdraws after publishing it.
WITHDRAWN_PRACTICE = 7


def _communities(
    make: _Maker, rng: random.Random, members: dict[str, list[dict[str, Any]]]
) -> Iterator[OutcomeEvent]:
    for c, (community, people) in enumerate(members.items()):
        held = PLANNED_MEETINGS - (c % 2)  # some communities have a meeting still to come
        for m in range(1, held + 1):
            mode = "in_person" if m == PLANNED_MEETINGS else "online"
            when = _START + timedelta(days=30 * m + c)
            for person in rng.sample(people, k=min(len(people), max(1, len(people) // 3))):
                meeting = {"community": community, "meeting": f"{community}-{m}", "sequence": m}
                yield make("community.meeting_attended", person, meeting | {"mode": mode}, when)
        for p in range(8):
            if people:
                author = rng.choice(people)
                practice = {
                    "community": community,
                    "practice": f"{community}-bp-{p}",
                    "title": f"Buona pratica {p + 1} della comunità {community}",
                }
                yield make(
                    "community.practice_shared",
                    author,
                    practice,
                    _START + timedelta(days=40 + 9 * p),
                )
                if p == WITHDRAWN_PRACTICE:  # taken down by its coordinator: not counted
                    withdrawn = {"community": community, "record": "practice"}
                    yield make(
                        "community.record_withdrawn",
                        author,
                        withdrawn | {"id": practice["practice"]},
                        _START + timedelta(days=40 + 9 * p + 3),
                    )
        for p in range(5):
            if people:
                public = p % 2 == 0
                partnership = {
                    "community": community,
                    "partnership": f"{community}-pt-{p}",
                    "partner_kind": "public_administration" if public else "organisation",
                    "partner": f"Comune partner {p + 1}" if public else f"Rete associativa {p + 1}",
                    "instrument": "co_programming" if public else "network",
                    "region": REGIONS[(c + p) % len(REGIONS)],
                }
                yield make(
                    "community.partnership_recorded",
                    rng.choice(people),
                    partnership,
                    _START + timedelta(days=50 + 11 * p),
                )
        for i in range(2 + c % 2):
            if people:
                intervention = {
                    "community": community,
                    "intervention": f"{community}-int-{i}",
                    "title": f"Intervento {i + 1}: {community}",
                    "regions": sorted(
                        {REGIONS[(c + i) % len(REGIONS)], REGIONS[(c + i + 3) % len(REGIONS)]}
                    ),
                }
                yield make(
                    "community.intervention_recorded",
                    rng.choice(people),
                    intervention,
                    _START + timedelta(days=100 + 7 * i),
                )
