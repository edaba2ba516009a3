"""The rollups report what gain.py computes on the raw events, however the events arrive.

Random programmes are ingested in random batches, with answers replaced by later ones,
answers sent twice, learners joining communities before and after they answer, and the
counting run at random moments; every view is then checked against ``gain.match_pairs``
and ``gain.aggregate`` over the raw events.
"""

from __future__ import annotations

import random
import threading
import uuid
from datetime import datetime
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opes_lti.competencies import gain
from opes_lti.competencies.gain import Answer
from opes_lti.core.db import Database
from opes_lti.dashboard import gap, reach, rollups, targets
from opes_lti.dashboard.models import RollupMark
from opes_lti.reporting.ingest import ingest
from opes_lti.reporting.models import Uncounted
from tests.support import programmes
from tests.support.programmes import FRAMEWORK
from tests.support.stats import assert_same_figures


def _expected(
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


VIEWS = [
    gap.Filters(),
    gap.Filters(region="12"),
    gap.Filters(role="volunteer"),
    gap.Filters(community="giovani"),
    gap.Filters(course="c-2", platform="moodle"),
    gap.Filters(organisation="odv-2", role="staff"),
    gap.Filters(since="2026-04"),
    gap.Filters(until="2026-04", community="welfare", region="16"),
]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(0, 10**6), batch=st.integers(1, 40), count_every=st.integers(1, 4))
def test_every_view_equals_gain_py_on_the_raw_events(
    database: Database, seed: int, batch: int, count_every: int
) -> None:
    programmes.reset(database)
    events = programmes.programme(seed)
    caller = programmes.caller(database, events, f"s{uuid.uuid4().hex[:8]}")
    for number, start in enumerate(range(0, len(events), batch)):
        with database.sessions.begin() as db:
            ingest(db, caller, events[start : start + batch])
        if number % count_every == 0:
            with database.sessions.begin() as db:
                rollups.count_batch(db, limit=batch)
    rollups.count_all(database.sessions)
    with database.sessions() as db:
        assert db.scalar(sa.select(sa.func.count()).select_from(Uncounted)) == 0
        for view in VIEWS:
            got = gap.cells(db, reach.national(), view)
            expected = _expected(events, view)
            assert set(got) == set(expected), view
            for key, sums in got.items():
                assert_same_figures(sums.stats(k=1), expected[key], (view, key))


def test_counting_again_counts_nothing_twice(database: Database) -> None:
    programmes.reset(database)
    events = programmes.programme(7)
    caller = programmes.caller(database, events, "twice")
    with database.sessions.begin() as db:
        ingest(db, caller, events)
    first = rollups.count_all(database.sessions)
    with database.sessions.begin() as db:
        ingest(db, caller, events)  # every one a duplicate: nothing queued
    assert rollups.count_all(database.sessions) == 0
    with database.sessions() as db:
        before = gap.cells(db, reach.national(), gap.Filters())
        assert db.get(RollupMark, 1).counted == first
    assert sum(s.n for s in before.values()) == sum(
        s.n for s in _expected(events, gap.Filters()).values()
    )


@pytest.mark.parametrize(
    "bad",
    [
        {"since": "2026-13"},
        {"since": "2026-05", "until": "2026-04"},
        {"scope": "everyone"},
        {"colour": "red"},
    ],
)
def test_a_bad_filter_is_refused_with_a_message(bad: dict[str, str]) -> None:
    with pytest.raises(gap.FilterError):
        gap.Filters.parse(bad)


def test_counters_running_at_once_lose_no_answer(database: Database) -> None:
    # Many answers on few pairs, so that two counters would fold the same pair at once.
    programmes.reset(database)
    rnd = random.Random(11)
    events = [programmes.answer(rnd, rnd.randrange(3)) for _ in range(400)]
    caller = programmes.caller(database, events, "busy")
    with database.sessions.begin() as db:
        ingest(db, caller, events)
    errors: list[BaseException] = []

    def counter() -> None:
        try:
            rollups.count_all(database.sessions, limit=7)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=counter) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert errors == []
    with database.sessions() as db:
        got = gap.cells(db, reach.national(), gap.Filters())
    expected = _expected(events, gap.Filters())
    assert set(got) == set(expected)
    for key, sums in got.items():
        assert_same_figures(sums.stats(k=1), expected[key], key)
