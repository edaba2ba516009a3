"""The demo programme: what the issue asks of it, the same for a seed."""

from __future__ import annotations

from collections import Counter, defaultdict

from opes_lti import demo
from opes_lti.competencies import gain
from opes_lti.events.domain import EVENT_TYPES


def test_the_programme_has_the_shape_a_coordinator_expects() -> None:
    events = list(demo.demo_events("tool-a"))
    kinds = Counter(e.type for e in events)
    assert set(kinds) == set(EVENT_TYPES)  # every type, so every page has something
    actors = {e.actor.id: e.actor for e in events if e.type == "learner.profile_updated"}
    assert len(actors) == 1500
    assert {a.role for a in actors.values()} == {"manager", "volunteer", "staff"}
    assert len({a.organisation for a in actors.values()}) == demo.ORGANISATIONS == 60
    assert len({a.region for a in actors.values()}) >= 12
    communities = {e.payload.community for e in events if e.type == "community.joined"}
    assert communities == set(demo.COMMUNITIES)
    meetings: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for e in events:
        if e.type == "community.meeting_attended":
            meetings[e.payload.community].add((e.payload.meeting, e.payload.mode))
    for held in meetings.values():
        assert len(held) <= demo.PLANNED_MEETINGS
        assert sum(mode == "in_person" for _, mode in held) <= 1
    kinds_of_partner = {
        e.payload.partner_kind for e in events if e.type == "community.partnership_recorded"
    }
    assert kinds_of_partner == {"organisation", "public_administration"}


def test_the_gain_is_plausible_and_some_learners_still_have_to_answer_after() -> None:
    answers = [
        gain.Answer(
            e.actor.id, e.payload.competency, e.payload.phase, e.payload.level, e.payload.max_level
        )
        for e in demo.demo_events("tool-a", learners=300)
        if e.type == "self_assessment.submitted" and e.payload.scope == "person"
    ]
    pairs = gain.match_pairs(answers)
    stats = gain.aggregate(pairs)
    assert stats.mean_difference is not None
    assert 0.3 < stats.mean_difference < 2.5
    assert stats.mean_gain is not None
    assert 0.1 < stats.mean_gain < 0.8
    pre_only = {a.learner for a in answers} - {p.learner for p in pairs}
    assert 0 < len(pre_only) < 100


def test_the_same_seed_makes_the_same_events_and_another_seed_others() -> None:
    first = [e.id for e in demo.demo_events("tool-a", learners=30)]
    assert first == [e.id for e in demo.demo_events("tool-a", learners=30)]
    assert set(first) != {e.id for e in demo.demo_events("tool-a", learners=30, seed=8)}
    assert len(set(first)) == len(first)
