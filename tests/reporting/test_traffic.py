"""What each source sent: counted per status and reason, bounded, written with the batch."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opes_lti.core.db import Database
from opes_lti.reporting import traffic
from opes_lti.reporting.models import Source, Traffic
from opes_lti.reporting.sources import add_source
from tests.reporting.test_api import post
from tests.support.factories import event_json

STATUSES = ("accepted", "duplicate", "rejected", "conflict", traffic.REQUEST)
_text = st.text(alphabet=st.sampled_from("ab.*<> \u00e8\x00\x1f"), max_size=300)
_items = st.lists(st.tuples(st.sampled_from(STATUSES), st.tuples(_text, _text)), max_size=200).map(
    lambda items: [(s, traffic.refusal(s, f, r)) for s, (f, r) in items]
)


@given(_items, st.lists(st.tuples(_text, _text), max_size=40))
def test_every_item_is_counted_once_and_reasons_stay_bounded(
    items: list[tuple[str, traffic.Key]], earlier: list[tuple[str, str]]
) -> None:
    known = {traffic.refusal("rejected", f, r) for f, r in earlier}
    folded = traffic.fold(traffic.tally(items), known)
    assert sum(folded.values()) == len(items)
    by_status = Counter(s for s, _ in items)
    for status in STATUSES:
        assert sum(n for k, n in folded.items() if k[0] == status) == by_status[status]
    new = {k for k in folded if k[0] not in traffic.KEPT and k[2] != traffic.OTHERS}
    kept_before = {k for k in known if k[2] != traffic.OTHERS}
    assert len(new - kept_before) <= max(0, traffic.MAX_REASONS - len(kept_before))
    for key in folded:
        assert len(key[1]) <= traffic.FIELD_ROOM
        assert len(key[2]) <= traffic.REASON_ROOM
    # A reason already kept keeps its own count, whatever came before it.
    for key in new & kept_before:
        assert folded[key] == sum(1 for s, k in items if k == key and s not in traffic.KEPT)


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.text(max_size=300), st.text(max_size=300)), min_size=1, max_size=5))
def test_any_refusal_text_is_stored(database: Database, refusals: list[tuple[str, str]]) -> None:
    # The field of a refusal echoes the sender's keys: NUL and other control characters
    # included, which PostgreSQL's text refuses (found by the ingest fuzz test as a 500).
    counts = traffic.tally(("rejected", traffic.refusal("rejected", f, r)) for f, r in refusals)
    now = datetime(2026, 5, 4, 10, tzinfo=UTC)
    with database.transaction() as db:
        source = db.scalars(sa.select(Source.id)).first() or add_source(db, "fuzz").row.id
        traffic.record(db, source, counts, now)
    for row in _rows(database):
        assert not any(ch in row.field + row.reason for ch in "\x00\x1f\x7f")


def _rows(database: Database) -> list[Traffic]:
    with database.sessions() as db:
        return list(db.scalars(sa.select(Traffic).order_by(Traffic.status, Traffic.field)))


def test_a_batch_is_counted_by_status_and_its_refusals_by_reason(
    client: FlaskClient, make_source: Callable[..., str], database: Database
) -> None:
    token = make_source()
    first = event_json()
    assert post(client, token, first).status_code == 201
    batch: list[Any] = [
        first,  # duplicate
        dict(first, occurred_at="2026-05-05T10:00:00+00:00"),  # conflict: same id, new content
        event_json(source="someone-else"),
        event_json(source="someone-else"),
        dict(event_json(), actor={"id": "x", "role": "wizard"}),
        event_json(),
    ]
    answer = post(client, token, batch)
    assert answer.status_code == 200
    assert answer.json["summary"] == {"accepted": 1, "duplicate": 1, "conflict": 1, "rejected": 3}
    counts = {(r.status, r.field): r.count for r in _rows(database)}
    assert counts[("accepted", "")] == 2
    assert counts[("duplicate", "")] == 1
    assert counts[("conflict", "id")] == 1
    assert counts[("rejected", "source")] == 2
    assert sum(n for (s, _), n in counts.items() if s == "rejected") == 3
    assert all(r.hour == traffic.hour_of(r.last_at) for r in _rows(database))


def test_a_request_refused_whole_is_counted_for_its_source_and_still_answered(
    client: FlaskClient, make_source: Callable[..., str], database: Database
) -> None:
    token = make_source()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    assert client.post("/api/v1/events", data=b"{not json", headers=headers).status_code == 400
    assert post(client, token, []).status_code == 400
    rows = _rows(database)
    assert {(r.status, r.field) for r in rows} == {
        (traffic.REQUEST, "malformed_json"),
        (traffic.REQUEST, "empty_batch"),
    }
    # Without a valid token nothing is counted: there is no source to count it for.
    assert client.post("/api/v1/events", data=b"{", headers={}).status_code in (401, 415)
    assert len(_rows(database)) == 2


def test_made_up_fields_cannot_grow_the_table_past_the_bound(
    client: FlaskClient, make_source: Callable[..., str], database: Database
) -> None:
    token = make_source()
    hostile = [dict(event_json(), **{f"x{n}" * 80: 1}) for n in range(3 * traffic.MAX_REASONS)]
    size = traffic.MAX_REASONS  # within the API's batch limit
    for start in range(0, len(hostile), size):
        answer = post(client, token, hostile[start : start + size])
        assert answer.json["summary"]["rejected"] == size
    assert post(client, token, hostile[:size]).status_code == 200  # kept reasons count on
    refused = [r for r in _rows(database) if r.status == "rejected"]
    assert len(refused) == traffic.MAX_REASONS + 1
    assert sum(r.count for r in refused) == len(hostile) + size
    assert max(len(r.field) for r in refused) <= traffic.FIELD_ROOM
    (others,) = [r for r in refused if r.reason == traffic.OTHERS]
    assert others.count == len(hostile) - size
    assert all(r.count == 2 for r in refused if r.reason != traffic.OTHERS)


def test_the_summary_gives_the_last_event_and_only_the_last_day(database: Database) -> None:
    now = datetime(2026, 12, 3, 15, 20, tzinfo=UTC)
    with database.transaction() as db:
        source = Source(name="moodle-a", token_hash="a" * 64)
        quiet = Source(name="edx-b", token_hash="b" * 64)
        db.add_all([source, quiet])
        db.flush()
        old = Counter({("accepted", "", ""): 50, traffic.refusal("rejected", "level", "old"): 4})
        traffic.record(db, source.id, old, now - timedelta(hours=30))
        today = Counter({("accepted", "", ""): 7, traffic.refusal("rejected", "level", "new"): 2})
        traffic.record(db, source.id, today, now - timedelta(minutes=5))
        traffic.record(db, source.id, Counter({("duplicate", "", ""): 3}), now)
    with database.sessions() as db:
        found = {s.name: s for s in traffic.summary(db, now)}
    assert found["moodle-a"].accepted == 7
    assert found["moodle-a"].duplicates == 3
    assert found["moodle-a"].refused == 2
    assert [r.reason for r in found["moodle-a"].reasons] == ["new"]
    assert found["moodle-a"].last_event_at == now - timedelta(minutes=5)
    assert found["edx-b"].last_event_at is None
    assert found["edx-b"].accepted == 0
