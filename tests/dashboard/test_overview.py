"""The overview and the follow-up: distinct things counted once, scoped, small counts hidden."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opes_lti.core.db import Database
from opes_lti.dashboard import gap, reach, rollups
from opes_lti.dashboard import overview as programme
from opes_lti.reporting.ingest import ingest
from tests.dashboard.conftest import page
from tests.support import programmes


def _counted_in_random_order(database: Database, seed: int, batch: int) -> list[Any]:
    """A random programme's events stored and counted in shuffled batches of ``batch``."""
    programmes.reset(database)
    events = programmes.programme(seed)
    caller = programmes.caller(database, events, f"s{uuid.uuid4().hex[:10]}")
    order = list(events)
    random.Random(seed).shuffle(order)
    for start in range(0, len(order), batch):
        with database.sessions.begin() as db:
            ingest(db, caller, order[start : start + batch])
        rollups.count_all(database.sessions, limit=batch)
    return events


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(0, 10**6), batch=st.integers(1, 30))
def test_the_counts_equal_distinct_things_in_the_raw_events_however_they_arrive(
    database: Database, seed: int, batch: int
) -> None:
    events = _counted_in_random_order(database, seed, batch)
    expected = programmes.expected_counts(events)
    with database.sessions() as db:
        seen = programme.overview(db, reach.national(), gap.Filters(), k=1)
        waiting = programme.follow_up(db, reach.national(), gap.Filters(), k=1)
    for name in ("learners", "pre", "post", "members", "groups_graded", "members_graded"):
        assert seen.totals[name] == expected[name], name
    assert sum(w.count or 0 for w in waiting) == expected["waiting"]


def test_the_overview_and_the_follow_up_pages_as_coordinators_see_them(
    signed_in: Callable[..., FlaskClient],
) -> None:
    national = page(signed_in("national"), "/dashboard/?lang=en")
    assert "Regions reached" in national
    assert "<td>24</td>" in national  # 3 groups of 8 learners
    regional = page(signed_in("region:12"), "/dashboard/?lang=en")
    assert "<td>8</td>" in regional
    assert "<td>24</td>" not in regional
    follow = page(signed_in("national"), "/dashboard/follow-up?lang=en")
    assert "Nobody is waiting in this view" in follow  # everyone answered after
    sheet = page(signed_in("national"), "/dashboard/overview.csv?lang=en").splitlines()
    assert sheet[0].startswith("Month,Learners,Organisations,Regions reached,Courses,")
    assert sheet[1].startswith("all,24,3,3,")
    italian = page(signed_in("national"), "/dashboard/overview.csv").splitlines()[0]
    assert italian.startswith("Mese,Partecipanti,Organizzazioni,Regioni raggiunte")
    # Month by month, drawn: the chart's columns carry the table's numbers.
    assert 'role="img"' in national
    assert "<title>New learners, 2026-03: 24</title>" in national
    assert "<title>Self-assessments after, 2026-04: 24</title>" in national
    scoped = page(signed_in("region:12"), "/dashboard/overview.csv?region=16&lang=en")
    assert scoped.splitlines()[1].startswith("all,0,0,0,")
    assert "<sheetData" in page(signed_in("national"), "/dashboard/follow-up.xlsx?lang=en")


def test_hostile_names_in_events_are_escaped_on_every_page(
    database: Database, signed_in: Callable[..., FlaskClient]
) -> None:
    hostile = '<script>alert("x")</script>'
    events = [programmes.answer(random.Random(5), n, phase="pre") for n in range(6)]
    for e in events:
        e["context"]["course"] = hostile
        e["actor"]["organisation"] = hostile[:60]
    caller = programmes.caller(database, events, f"s{uuid.uuid4().hex[:10]}")
    from opes_lti.reporting.ingest import ingest as store

    with database.sessions.begin() as db:
        store(db, caller, events)
    rollups.count_all(database.sessions)
    client = signed_in("national")
    for path in (
        "/dashboard/",
        "/dashboard/follow-up",
        "/dashboard/gap",
        f"/dashboard/gap?course={hostile}",
    ):
        text = page(client, path)
        assert "<script>alert" not in text, path
    assert "&lt;script&gt;" in page(client, "/dashboard/follow-up")


def test_long_ids_make_distinct_facts_however_alike_their_starts() -> None:
    from datetime import UTC, datetime

    from opes_lti.dashboard.facts import FactRow

    at = datetime(2026, 3, 1, tzinfo=UTC)
    start = "x" * 400
    one, two = FactRow("sa_pre", start + "a" * 100, at), FactRow("sa_pre", start + "b" * 100, at)
    keys = {one.row()["key"], two.row()["key"]}
    assert len(keys) == 2
    assert all(len(k) <= 420 for k in keys)


def test_the_communities_page_lists_each_registry_within_the_scope(
    database: Database, signed_in: Callable[..., FlaskClient]
) -> None:
    from tests.support.factories import event_json

    actor = {"id": "aps-roma-1", "role": "manager", "organisation": "aps-roma", "region": "12"}
    shared = [
        event_json(
            "community.practice_shared",
            actor=actor,
            payload={"community": "giovani", "practice": "p1", "title": "Sportello <b>giovani</b>"},
        ),
        event_json(
            "community.partnership_recorded",
            actor=actor,
            payload={
                "community": "giovani",
                "partnership": "pt1",
                "partner_kind": "public_administration",
                "partner": "Comune di Roma",
                "instrument": "co_programming",
            },
        ),
        event_json(
            "community.intervention_recorded",
            actor=actor,
            payload={
                "community": "welfare",
                "intervention": "i1",
                "title": "Doposcuola",
                "regions": ["16"],
            },
        ),
    ]
    caller = programmes.caller(database, shared, f"s{uuid.uuid4().hex[:10]}")
    with database.sessions.begin() as db:
        ingest(db, caller, shared)
    rollups.count_all(database.sessions)
    national = page(signed_in("national"), "/dashboard/communities?lang=en")
    assert "Comune di Roma" in national
    assert "Sportello &lt;b&gt;giovani&lt;/b&gt;" in national
    assert ("Doposcuola" in national, "Puglia" in national) == (True, True)
    assert "Members: 8" in national
    welfare = page(signed_in("community:welfare"), "/dashboard/communities?lang=en")
    assert "Doposcuola" in welfare
    assert "Comune di Roma" not in welfare
    assert "Sportello" not in welfare
    sheet = page(signed_in("national"), "/dashboard/communities.csv?lang=en").splitlines()
    assert sheet[0].startswith("community,members,meetings held online,")
    assert "giovani,8,0,0,0,,,,,," in sheet
    assert (
        "giovani,,,,,partnership,Comune di Roma,public administration · co_programming,"
        "Lazio,aps-roma,2026-05-04" in sheet
    )
    assert "welfare,,,,,intervention,Doposcuola,started,Puglia,aps-roma,2026-05-04" in sheet
    theirs = page(signed_in("community:welfare"), "/dashboard/communities.xlsx?lang=it")
    assert "Doposcuola" in theirs
    assert "Comune di Roma" not in theirs


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(0, 10**6), batch=st.integers(1, 25), erased=st.integers(0, 2))
def test_the_fact_cells_always_equal_the_facts_they_count(
    database: Database, seed: int, batch: int, erased: int
) -> None:
    """Whatever order events come in (earlier ones moving a fact), and after erasures."""
    import sqlalchemy as sa

    from opes_lti.dashboard import privacy
    from opes_lti.dashboard.models import FACT_CELL_KEY, Fact, FactCell

    events = _counted_in_random_order(database, seed, batch)
    learners = sorted({e["actor"]["id"] for e in events})
    for learner in random.Random(seed).sample(learners, min(erased, len(learners) - 1)):
        with database.sessions.begin() as db:
            privacy.erase(db, learner)
    with database.sessions() as db:
        key = [Fact.__table__.c[name] for name in FACT_CELL_KEY]
        counted = {
            tuple(r[:-1]): r[-1]
            for r in db.execute(sa.select(*key, sa.func.count()).group_by(*key))
        }
        cells = [FactCell.__table__.c[name] for name in FACT_CELL_KEY]
        kept = {tuple(r[:-1]): r[-1] for r in db.execute(sa.select(*cells, FactCell.n)) if r[-1]}
    assert kept == counted
    assert counted  # the programme had facts to count


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    steps=st.lists(st.sampled_from(["share", "withdraw"]), min_size=1, max_size=6),
    batch=st.integers(1, 6),
)
def test_a_withdrawn_record_stops_counting_and_counts_again_once_shared_again(
    database: Database, steps: list[str], batch: int
) -> None:
    """Events counted in the order they arrive (the outbox's), in batches of any size."""
    from datetime import UTC, datetime, timedelta

    from tests.support.factories import event_json

    programmes.reset(database)
    start = datetime(2026, 5, 4, 10, tzinfo=UTC)
    actor = {"id": "aps-roma-1", "role": "manager", "organisation": "aps-roma", "region": "12"}
    events = [
        event_json(
            "community.practice_shared" if step == "share" else "community.record_withdrawn",
            actor=actor,
            occurred_at=(start + timedelta(minutes=n)).isoformat(),
            payload={"community": "giovani", "practice": "p1", "title": "Sportello"}
            if step == "share"
            else {"community": "giovani", "record": "practice", "id": "p1"},
        )
        for n, step in enumerate(steps)
    ]
    caller = programmes.caller(database, events, f"s{uuid.uuid4().hex[:10]}")
    for first in range(0, len(events), batch):
        with database.sessions.begin() as db:
            ingest(db, caller, events[first : first + batch])
        rollups.count_all(database.sessions, limit=batch)
    with database.sessions() as db:
        seen = programme.overview(db, reach.national(), gap.Filters(), k=1)
    assert seen.totals["practices"] == (1 if steps[-1] == "share" else 0)
