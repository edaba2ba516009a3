"""Counting new events into the rollups: a batch at a time, once each, restartable.

The ingestion API queues every accepted event in ``events_uncounted``. A batch is taken
from the queue, its answers are folded into the pairs they belong to, each pair's change
becomes a change of its cells' sums, and the queue rows go in the same transaction as the
sums: a crash anywhere leaves either all of a batch counted or none of it.
"""

from __future__ import annotations

import hashlib
import os
import signal
import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session, sessionmaker

from opes_lti.competencies.gain import Sums
from opes_lti.competencies.pairing import DIMENSIONS, Answered, PairState
from opes_lti.core import bulk
from opes_lti.core.db import utcnow
from opes_lti.dashboard import facts, targets
from opes_lti.dashboard.grains import cell_keys
from opes_lti.dashboard.models import (
    CELL_DIMENSIONS,
    SUM_COLUMNS,
    Fact,
    GapCell,
    GapPair,
    Membership,
    RollupMark,
)
from opes_lti.events import worker
from opes_lti.reporting.models import StoredEvent, Uncounted

BATCH = 5000  # a batch takes about a second; larger ones share more cells
_CHUNK = 400  # rows per statement: within SQLite's bound on parameters


@dataclass(frozen=True)
class PairKey:
    """What a pair is the pair of."""

    scope: str
    subject: str
    framework: str
    area: str
    competency: str
    course: str

    @property
    def digest(self) -> str:
        """The pair row's primary key (the area is not part of what the pair is)."""
        parts = (self.scope, self.subject, self.framework, self.competency, self.course)
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def key_of(pair: GapPair) -> PairKey:
    """The key of a stored pair."""
    return PairKey(
        pair.scope, pair.subject, pair.framework, pair.area, pair.competency, pair.course
    )


def state_of(key: PairKey, stored: Mapping[str, Any] | None) -> PairState:
    """A pair's state from its row's JSON (or a new one)."""
    state = PairState(key.subject, f"{key.framework}/{key.competency}", key.course)
    for phase in ("pre", "post"):
        if stored and stored.get(phase):
            raw = dict(stored[phase])
            raw["at"] = datetime.fromisoformat(raw["at"])
            state = state.answered(phase, Answered(**raw))
    return state


def stored_state(state: PairState) -> dict[str, Any]:
    """A pair state as its row keeps it (JSON)."""
    out: dict[str, Any] = {}
    for phase in ("pre", "post"):
        answer = getattr(state, phase)
        if answer is not None:
            # Not asdict(): its deep copy of every field was a tenth of counting's time.
            out[phase] = {name: getattr(answer, name) for name in _ANSWERED} | {
                "at": answer.at.isoformat()
            }
    return out


_ANSWERED = tuple(f.name for f in fields(Answered))


class Deltas:
    """Changes to cell sums, gathered over a batch and written once per cell.

    Pairs with the same competence, dimensions and communities add to the same cells, so
    their sums are added up first and spread over those cells once, at :meth:`write`.
    """

    def __init__(self) -> None:
        """No change yet."""
        self.groups: dict[tuple[Any, ...], Sums] = {}

    def add(
        self,
        key: PairKey,
        state: PairState,
        communities: Iterable[str],
        sign: int,
        *,
        joined_only: bool = False,
    ) -> None:
        """Add (``sign`` +1) or take away (-1) a state's contribution to its cells."""
        found = state.contribution(targets.of(key.framework, key.competency))
        if found is None:
            return
        dims, sums = found
        group = (
            key.scope,
            key.framework,
            key.area,
            key.competency,
            tuple(dims[d] for d in DIMENSIONS),
            tuple(sorted(set(communities))),
            joined_only,
        )
        before = self.groups.get(group, _NOTHING)
        self.groups[group] = before + sums if sign > 0 else before - sums

    def cells(self) -> dict[tuple[Any, ...], Sums]:
        """The change of each cell: (grain, scope, framework, area, competency, *values)."""
        cells: dict[tuple[Any, ...], Sums] = {}
        for (*head, values, communities, joined_only), sums in self.groups.items():
            for grain, cell_values in cell_keys(values, communities, joined_only):
                cell = (grain, *head, *cell_values)
                before = cells.get(cell)
                cells[cell] = sums if before is None else before + sums
        return cells

    def write(self, db: Session) -> None:
        """Apply the changes, one upsert per cell."""
        changed = sorted((cell, s) for cell, s in self.cells().items() if s != _NOTHING)
        if not changed:
            return
        keys = zip(*(cell for cell, _ in changed), strict=True)
        columns = dict(zip(_CELL_KEY, keys, strict=True))
        for name in SUM_COLUMNS:
            columns[name] = tuple(getattr(s, name) for _, s in changed)
        bulk.upsert_columns(db, GapCell.__table__, columns, _CELL_KEY, add=SUM_COLUMNS)


_NOTHING = Sums()
_CELL_KEY = ("grain", "scope", "framework", "area", "competency", *CELL_DIMENSIONS)


def _pair_key(row: Any, payload: Mapping[str, Any]) -> PairKey:
    scope = payload.get("scope", "person")
    subject = payload["organisation"] if scope == "organisation" else row.actor_id
    return pair_key_of(payload, subject, row.course)


def pair_key_of(payload: Mapping[str, Any], subject: str, course: str | None) -> PairKey:
    """The pair an answer (its payload) by or for ``subject`` in ``course`` belongs to."""
    return PairKey(
        payload.get("scope", "person"),
        subject,
        payload["framework"],
        payload.get("area") or "",
        payload["competency"],
        course or "",
    )


def answered_of(row: Any, payload: Mapping[str, Any]) -> Answered:
    """A stored answer event as the pair keeps it."""
    return Answered(
        level=payload["level"],
        max_level=payload["max_level"],
        at=row.occurred_at,
        event=str(row.id),
        role=row.actor_role or "",
        organisation=row.organisation or "",
        region=row.region or "",
        platform=row.platform or "",
    )


def _chunks(values: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def _in_chunks(db: Session, query: Any, column: Any, values: list[Any]) -> list[Any]:
    """``query`` for rows whose ``column`` is one of ``values``.

    ``query`` is a select, or a delete returning rows (taking events off the queue).
    """
    if not values:
        return []
    if db.connection().dialect.name == "postgresql":
        # One statement with one array: IN lists were compiled and parsed anew per chunk.
        array = sa.bindparam(None, values, type_=postgresql.ARRAY(column.type))
        return list(db.execute(query.where(column == sa.any_(array))).all())
    found: list[Any] = []
    for chunk in _chunks(values):
        found += db.execute(query.where(column.in_(chunk))).all()
    return found


def count_batch(db: Session, limit: int = BATCH) -> int:
    """Count up to ``limit`` queued events into the rollups; how many were taken.

    The caller commits. Counters take turns (:func:`hold`), and the order events are
    counted in does not change the result.
    """
    hold(db)
    if db.connection().dialect.name == "postgresql":
        # Every lookup below is by key. Rollups that grew since the last ANALYZE look
        # empty to the planner, which then scans them whole on each lookup: at a backfill's
        # pace that made counting quadratic. Index scans are right at every size here.
        db.execute(sa.text("SET LOCAL enable_seqscan = off"))
    events = _take(db, limit)
    if not events:
        return 0
    answers: dict[str, tuple[PairKey, list[tuple[str, Answered]]]] = {}
    joins: dict[tuple[str, str], datetime] = {}
    seen: dict[tuple[str, str], facts.FactRow] = {}
    # A correction takes back the record's fact as it stood then: the same record
    # published again later (in this batch or after) counts again.
    withdrawn: dict[tuple[str, str], datetime] = {}
    for row in events:
        gone = facts.withdrawn(row, row.payload)
        if gone is not None:
            withdrawn[gone] = max(withdrawn.get(gone, row.occurred_at), row.occurred_at)
    for row in events:
        for fact in facts.of(row, row.payload):
            if fact.at <= withdrawn.get((fact.kind, fact.key), _NEVER):
                continue
            earlier = seen.get((fact.kind, fact.key))
            if earlier is None or fact.at < earlier.at:
                seen[(fact.kind, fact.key)] = fact
        if row.type == "self_assessment.submitted":
            payload = row.payload
            key = _pair_key(row, payload)
            answers.setdefault(key.digest, (key, []))[1].append(
                (payload["phase"], answered_of(row, payload))
            )
        elif row.type == "community.joined" and row.community:
            at = joins.get((row.actor_id, row.community))
            joins[(row.actor_id, row.community)] = min(at or row.occurred_at, row.occurred_at)
    _fold(db, answers, joins)
    _forget(db, {k: at for k, at in withdrawn.items() if k not in seen})
    _record(db, list(seen.values()))
    _mark(db, len(events))
    return len(events)


_READ = (
    StoredEvent.id,
    StoredEvent.type,
    StoredEvent.occurred_at,
    StoredEvent.actor_id,
    StoredEvent.actor_role,
    StoredEvent.organisation,
    StoredEvent.region,
    StoredEvent.platform,
    StoredEvent.course,
    StoredEvent.community,
    # Only the payload: decoding whole envelopes was a tenth of counting's time.
    StoredEvent.envelope["payload"].label("payload"),
)


def _take(db: Session, limit: int) -> list[Any]:
    """The oldest queued events, off the queue in this transaction (back on rollback).

    Two statements, not ``DELETE ... WHERE seq IN (SELECT ... FOR UPDATE)``: that one is
    planned as a join over the whole queue (a scan of it per batch at best), and in the
    dashboard bench, with the API filling the queue, one such statement ran for over 40
    minutes. A locked range read by the index, then a delete by key, cost the batch only.
    """
    queued = (
        sa.select(Uncounted.seq)
        .order_by(Uncounted.seq)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    seqs = list(db.scalars(queued))
    taken = sa.delete(Uncounted).returning(Uncounted.event_id)
    ids = [row.event_id for row in _in_chunks(db, taken, Uncounted.seq, seqs)]
    return _in_chunks(db, sa.select(*_READ), StoredEvent.id, sorted(ids))


def _fold(
    db: Session,
    answers: dict[str, tuple[PairKey, list[tuple[str, Answered]]]],
    joins: dict[tuple[str, str], datetime],
) -> None:
    stored = {
        r.key: r.state
        for r in _in_chunks(db, sa.select(GapPair.key, GapPair.state), GapPair.key, sorted(answers))
    }
    learners = sorted(
        {k.subject for k, _ in answers.values() if k.scope == "person"}
        | {learner for learner, _ in joins}
    )
    members: dict[str, set[str]] = defaultdict(set)
    for learner, community in _in_chunks(
        db, sa.select(Membership.learner, Membership.community), Membership.learner, learners
    ):
        members[learner].add(community)
    fresh = {(lr, c): at for (lr, c), at in joins.items() if c not in members[lr]}
    deltas = Deltas()
    if fresh:
        # A learner who joins brings the pairs they had into the community's cells.
        joined: dict[str, list[str]] = defaultdict(list)
        for learner, community in fresh:
            joined[learner].append(community)
        held = _in_chunks(
            db,
            sa.select(GapPair).where(GapPair.scope == "person"),
            GapPair.subject,
            sorted(joined),
        )
        for row in held:
            pair = row[0]
            key = key_of(pair)
            state = state_of(key, pair.state)
            deltas.add(key, state, joined[pair.subject], +1, joined_only=True)
        _insert_members(db, fresh)
        for learner, community in fresh:
            members[learner].add(community)
    changed: list[dict[str, Any]] = []
    for digest, (key, given) in sorted(answers.items()):
        before = state_of(key, stored.get(digest))
        after = before
        for phase, answer in given:
            after = after.answered(phase, answer)  # type: ignore[arg-type]
        if after == before:
            continue  # answers older than what is kept: nothing changes
        communities = members[key.subject] if key.scope == "person" else set()
        deltas.add(key, before, communities, -1)
        deltas.add(key, after, communities, +1)
        changed.append(
            {
                "key": digest,
                **{f: getattr(key, f) for f in asdict(key)},
                "state": stored_state(after),
            }
        )
    bulk.upsert(db, GapPair.__table__, changed, ["key"], replace=["state"])
    deltas.write(db)


#: Before any event: what a record never withdrawn was withdrawn at.
_NEVER = datetime(1970, 1, 1, tzinfo=UTC)


def _forget(db: Session, withdrawn: dict[tuple[str, str], datetime]) -> None:
    """Delete the facts corrections took back (the triggers take them off the counts)."""
    for (kind, key), at in sorted(withdrawn.items()):
        db.execute(
            sa.delete(Fact).where(
                Fact.kind == kind, Fact.key == facts.stored_key(key), Fact.at <= at
            )
        )


def _record(db: Session, found: list[facts.FactRow]) -> None:
    """Upsert the batch's facts (the earliest event's dimensions win), then the follow-up."""
    if not found:
        return
    upsert_facts(db, sorted((f.row() for f in found), key=lambda r: (r["kind"], r["key"])))
    # Answered before and not yet after: kept as facts of their own so the follow-up page
    # counts rows instead of comparing two sets at every view.
    posts = sorted(f.key for f in found if f.kind == "sa_post")
    for chunk in _chunks(posts):
        db.execute(sa.delete(Fact).where(Fact.kind == facts.AWAITING, Fact.key.in_(chunk)))
    pres = {f.key: f for f in found if f.kind == "sa_pre"}
    posted = sa.select(Fact.key).where(Fact.kind == "sa_post")
    answered = {r.key for r in _in_chunks(db, posted, Fact.key, sorted(pres))}
    waiting = [
        facts.FactRow(**(asdict(f) | {"kind": facts.AWAITING})).row()
        for key, f in sorted(pres.items())
        if key not in answered
    ]
    upsert_facts(db, waiting)


def upsert_facts(db: Session, rows: list[dict[str, Any]]) -> None:
    """Store facts; the earliest event's dimensions win."""
    if rows:
        others = [c for c in rows[0] if c not in ("kind", "key")]
        bulk.upsert(db, Fact.__table__, rows, ["kind", "key"], replace=others, if_earlier="at")


def _insert_members(db: Session, fresh: dict[tuple[str, str], datetime]) -> None:
    rows = [
        {"learner": lr, "community": c, "joined_at": at} for (lr, c), at in sorted(fresh.items())
    ]
    bulk.upsert(db, Membership.__table__, rows, ["learner", "community"])


def hold(db: Session) -> None:
    """Be the only counter until commit: two folding the same pair would lose an answer.

    Writing the mark row first takes its row lock on PostgreSQL and the write lock on
    SQLite, so a second counter waits here rather than after it has read stale pairs.
    """
    bulk.upsert(db, RollupMark.__table__, [{"id": 1, "counted": 0}], ["id"])
    db.execute(sa.update(RollupMark).where(RollupMark.id == 1).values(updated_at=utcnow()))


def _mark(db: Session, counted: int) -> None:
    db.execute(
        sa.update(RollupMark)
        .where(RollupMark.id == 1)
        .values(counted=RollupMark.counted + counted, updated_at=utcnow())
    )


def count_all(sessions: sessionmaker[Session], limit: int = BATCH, most: int | None = None) -> int:
    """Count every queued event (or about ``most``), a committed batch at a time."""
    total = 0
    while most is None or total < most:
        with sessions.begin() as db:
            taken = count_batch(db, limit)
        total += taken
        if taken < limit:
            break
    return total


def job(sessions: sessionmaker[Session], idle_seconds: float = 1.0) -> worker.Job:
    """Counting as a job of the one worker loop: at once while events wait, else idle."""

    def step() -> float:
        with sessions.begin() as db:
            taken = count_batch(db)
        return 0.0 if taken >= BATCH else idle_seconds

    return worker.Job("rollups", step)


#: The counting process's niceness: the pages and the ingestion API go first.
NICE = 10


def follow(sessions: sessionmaker[Session]) -> None:
    """Count as events arrive, niced, until SIGTERM or SIGINT (the counting process)."""
    os.nice(NICE)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    worker.run([job(sessions)], stop)
