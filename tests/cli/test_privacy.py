"""``opes-lti privacy``: a learner's events exported, or erased with every figure at once."""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from click.testing import Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opes_lti.core.db import Database
from opes_lti.core.purges import PurgeRecord
from opes_lti.dashboard import gap, privacy, reach, rollups
from opes_lti.dashboard import overview as programme
from opes_lti.lti.launch import pseudonym
from opes_lti.reporting.ingest import ingest
from opes_lti.reporting.models import StoredEvent
from tests.support import programmes

VIEWS = [gap.Filters(), gap.Filters(region="12"), gap.Filters(community="giovani")]


def _load(database: Database, events: list[dict]) -> None:
    caller = programmes.caller(database, events, f"s{uuid.uuid4().hex[:10]}")
    with database.sessions.begin() as db:
        ingest(db, caller, events)
    rollups.count_all(database.sessions)


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(0, 10**6), counted_first=st.booleans())
def test_after_an_erasure_every_figure_is_as_if_the_learner_never_was(
    database: Database, seed: int, counted_first: bool
) -> None:
    programmes.reset(database)
    events = programmes.programme(seed)
    gone = random.Random(seed).choice(sorted({e["actor"]["id"] for e in events}))
    _load(database, events)
    if not counted_first:  # erase while some of their events still wait to be counted
        more = [programmes.answer(random.Random(seed + 1), int(gone[1:]))]
        _load_uncounted(database, more)
        events += more
    with database.sessions.begin() as db:
        deleted = privacy.erase(db, gone)
    assert deleted["events"] == len({e["id"] for e in events if e["actor"]["id"] == gone})
    rollups.count_all(database.sessions)
    remaining = [e for e in events if e["actor"]["id"] != gone]
    with database.sessions() as db:
        assert db.scalar(sa.select(sa.func.count()).where(StoredEvent.actor_id == gone)) == 0
        programmes.assert_views_match(db, remaining, VIEWS)
        seen = programme.overview(db, reach.national(), gap.Filters(), k=1)
        counts = programmes.expected_counts(remaining)
        for name in ("learners", "pre", "post", "members"):
            assert seen.totals[name] == counts[name], name
        record = db.scalars(sa.select(PurgeRecord).order_by(PurgeRecord.id.desc())).first()
        assert record is not None
        assert (record.kind, record.subject) == ("learner", privacy.digest(gone))
        assert gone not in json.dumps(record.deleted) + record.subject


def _load_uncounted(database: Database, events: list[dict]) -> None:
    with database.sessions() as db:
        source = db.execute(sa.text("SELECT id, name FROM sources ORDER BY id DESC LIMIT 1")).one()
    for e in events:
        e["source"] = source.name
    from opes_lti.reporting.sources import Caller

    with database.sessions.begin() as db:
        ingest(db, Caller(source.id, source.name), events)


def test_export_and_erase_from_the_command_line_by_lti_identity(
    run: Callable[..., Result], database: Database
) -> None:
    issuer, sub = "https://moodle.example.it", "42"
    who = pseudonym(issuer, sub)
    events = [programmes.answer(random.Random(3), 0) for _ in range(4)]
    for e in events:
        e["actor"]["id"] = who
    _load(database, events)
    exported = run("privacy", "export", "--platform", issuer, "--user", sub)
    lines = [json.loads(line) for line in exported.output.splitlines()]
    assert {line["id"] for line in lines} == {e["id"] for e in events}
    refused = run("privacy", "erase", who, input="n\n")
    assert refused.exit_code == 1
    assert len(run("privacy", "export", who).output.splitlines()) == 4  # nothing erased
    erased = run("privacy", "erase", who, "--yes")
    assert erased.exit_code == 0, erased.output
    assert "4 events" in erased.output
    assert run("privacy", "export", who).output == ""
    again = run("privacy", "erase", who, "--yes")
    assert (again.exit_code, "nothing to erase" in again.output) == (1, True)
    assert "learner" in run("purges", "list").output


@pytest.mark.parametrize(
    "args", [[], ["someone", "--platform", "https://x"], ["--platform", "https://x"]]
)
def test_a_learner_named_wrongly_is_a_usage_error(
    run: Callable[..., Result], args: list[str]
) -> None:
    result = run("privacy", "export", *args)
    assert result.exit_code == 2
    assert "pseudonymous ID" in result.output
