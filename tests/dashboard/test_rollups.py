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

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opes_lti.core.db import Database
from opes_lti.dashboard import gap, reach, rollups
from opes_lti.dashboard.models import RollupMark
from opes_lti.reporting.ingest import ingest
from opes_lti.reporting.models import Uncounted
from tests.support import programmes

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
        programmes.assert_views_match(db, events, VIEWS)


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
        s.n for s in programmes.expected_gap(events, gap.Filters()).values()
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
        programmes.assert_views_match(db, events, [gap.Filters()])
