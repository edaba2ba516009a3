"""The coordinators' pages at scale: latency, server CPU per page, and a baseline.

Loads ``--learners`` x ``--competences`` x 2 self-assessment answers (plus one community
event per ten answers) into a PostgreSQL database in bulk, counts them into the rollups
with the service's own code, serves the reporting service under gunicorn and requests
each page as a signed-in national coordinator from this process: on a quiet server, then
while a second process ingests through the API at ``--ingest-rate`` events/s. Also: the
time from an event accepted to its figure changing on the dashboard, and the exports'
peak memory. The baseline, in the same run: the same gap figures from one aggregate query
over the raw events.

    bench/run dashboard --learners 10000 --competences 50            # 1 M answers
    bench/run dashboard --learners 100000 --competences 50 --keep    # 10 M, kept for reruns
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import re
import statistics
import tempfile
import threading
import time
import uuid
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests
import sqlalchemy as sa

from bench.common import RESULTS, Load, Server, kept_postgres, scratch_postgres
from bench.ingest import make_event
from opes_lti.accounts import services as accounts
from opes_lti.core.db import Database
from opes_lti.dashboard import rollups
from opes_lti.dashboard.models import GapCell
from opes_lti.reporting import ingest
from opes_lti.reporting.models import StoredEvent, Uncounted
from opes_lti.reporting.sources import add_source
from tests.support.processes import free_port

PAGES = {
    "gap, no filter": "/dashboard/gap?framework=bench",
    "gap, one filter (region)": "/dashboard/gap?framework=bench&region=12",
    "gap, two filters (region, role)": "/dashboard/gap?framework=bench&region=12&role=volunteer",
    "gap, drill-down to an area": "/dashboard/gap?framework=bench&area=A3",
    "overview": "/dashboard/",
    "follow-up": "/dashboard/follow-up",
}
#: The gap figures straight from the raw events: latest answer per phase, pairs, means.
BASELINE_SQL = """
WITH latest AS (
  SELECT DISTINCT ON (actor_id, competency, course, phase)
         actor_id, competency, course, phase, level
  FROM events WHERE type = 'self_assessment.submitted' AND framework = 'bench'
  ORDER BY actor_id, competency, course, phase, occurred_at DESC, id DESC
), pairs AS (
  SELECT p.competency, p.level AS pre, q.level AS post
  FROM latest p JOIN latest q ON q.actor_id = p.actor_id AND q.competency = p.competency
   AND q.course = p.course AND p.phase = 'pre' AND q.phase = 'post'
)
SELECT competency, count(*), avg(pre), avg(post), avg(post - pre), stddev_samp(post - pre)
FROM pairs GROUP BY competency
"""
#: Events counted between two VACUUM ANALYZE (what autovacuum would do on a live server).
VACUUM_EVERY = 50_000
OVERVIEW_PLAN_SQL = """
EXPLAIN ANALYZE SELECT kind, variant, month, sum(n) FROM fact_cells
WHERE kind IN ('learner', 'organisation', 'region', 'course', 'sa_pre', 'sa_post', 'member')
GROUP BY 1, 2, 3
"""
PLAN_SQL = """
EXPLAIN ANALYZE SELECT framework, area, competency, sum(n) FROM gap_cells
WHERE grain = 1 AND scope = 'person' AND framework = 'bench' AND region = '12'
  AND community = '*' GROUP BY 1, 2, 3
"""


def _rows(learners: int, competences: int, source_id: int, seed: int) -> Any:
    """Stored-event rows, as ingestion would write them, without validation (bulk load)."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    start = datetime(2026, 2, 2, tzinfo=UTC)
    for n in range(learners):
        who = {
            "id": f"b{n:07d}",
            "role": ("manager", "volunteer", "staff")[n % 3],
            "organisation": f"ets-{n % 600:03d}",
            "region": f"{n % 20 + 1:02d}",
        }
        place = {"platform": "moodle", "course": f"corso-{n % 40:02d}"}
        for c in range(competences):
            pre = rng.randint(1, 4)
            post = min(5, pre + rng.randint(0, 2))
            for phase, level, days in (("pre", pre, 0), ("post", post, 100)):
                payload = {
                    "framework": "bench",
                    "framework_version": "1",
                    "competency": f"K{c:02d}",
                    "area": f"A{c // 10}",
                    "level": level,
                    "max_level": 5,
                    "phase": phase,
                }
                when = start + timedelta(days=days + n % 60, seconds=c)
                yield _row("self_assessment.submitted", who, place, payload, when, now, source_id)
            if c % 10 == 9:
                joined = {"community": ("inclusione", "giovani", "ambiente")[n % 3]}
                yield _row("community.joined", who, place, joined, start, now, source_id)


def _row(
    kind: str,
    who: dict[str, str],
    place: dict[str, str],
    payload: dict[str, Any],
    when: datetime,
    now: datetime,
    source_id: int,
) -> dict[str, Any]:
    event_id = uuid.uuid4()
    envelope = {
        "id": str(event_id),
        "type": kind,
        "occurred_at": when.isoformat(),
        "source": "bench",
        "actor": who,
        "context": place,
        "payload": payload,
    }
    return {
        "id": event_id,
        "source_id": source_id,
        "type": kind,
        "schema_version": "1.0",
        "occurred_at": when,
        "received_at": now,
        "content_hash": "0" * 64,
        "actor_id": who["id"],
        "actor_role": who["role"],
        "organisation": who["organisation"],
        "region": who["region"],
        "platform": place["platform"],
        "course": place["course"],
        "activity": None,
        "community": payload.get("community"),
        "framework": payload.get("framework"),
        "competency": payload.get("competency"),
        "phase": payload.get("phase"),
        "level": payload.get("level"),
        "envelope": envelope,
    }


def load(database: Database, learners: int, competences: int) -> tuple[int, float, float]:
    """Bulk-load the events and count them with the service's own code: (n, s, s)."""
    with database.transaction() as db:
        source_id = add_source(db, "bench").row.id
    started, batch, total = time.perf_counter(), [], 0
    for row in _rows(learners, competences, source_id, seed=1):
        batch.append(row)
        if len(batch) == 5000:
            total += _store(database, batch)
            batch = []
    total += _store(database, batch) if batch else 0
    loaded = time.perf_counter() - started
    _vacuum(database)
    started = time.perf_counter()
    while rollups.count_all(database.sessions, limit=5000, most=VACUUM_EVERY):
        # This cluster runs with autovacuum off (the tests' setting); production's
        # autovacuum would clear the queue's dead rows and refresh the planner's view of
        # the growing rollups at about this rate, so the bench does it for it.
        _vacuum(database)
    return total, loaded, time.perf_counter() - started


def _vacuum(database: Database, events: bool = False) -> None:
    """What autovacuum would have done by now on a live server.

    ``events``: the raw events too, before measuring. Without their statistics the
    baseline's planner took the bulk-loaded table for 1,554 rows and joined two million
    answers by nested loop: minutes, not the seconds a live server's plan takes.
    """
    tables = ["events_uncounted", "gap_pairs", "gap_cells", "facts", "fact_cells"]
    tables += ["community_members", *(["events"] if events else [])]
    with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in tables:
            conn.execute(sa.text(f"VACUUM ANALYZE {table}"))


def _store(database: Database, rows: list[dict[str, Any]]) -> int:
    with database.transaction() as db:
        inserted = ingest._insert(db, rows)  # the service's own bulk path
        ingest._to_count(db, inserted)
    return len(rows)


def _signed_in(url: str, username: str, password: str) -> requests.Session:
    client = requests.Session()
    page = client.get(url + "/login", timeout=30).text
    token = re.search(r'name="csrf" value="([^"]+)"', page)
    assert token
    form = {"csrf": token.group(1), "username": username, "password": password}
    client.post(url + "/login", data=form, timeout=30)
    return client


def measure(
    server: Server, client: requests.Session, path: str, requests_: int
) -> dict[str, float]:
    """p50/p95 over ``requests_`` sequential requests, and the server's CPU per request."""
    client.get(server.url + path, timeout=60)  # warm
    latencies, cpu = [], server.cpu_seconds()
    for _ in range(requests_):
        started = time.perf_counter()
        answer = client.get(server.url + path, timeout=60)
        latencies.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 200, (path, answer.status_code)
    cpu_ms = (server.cpu_seconds() - cpu) * 1000 / requests_
    latencies.sort()
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    return {"p50_ms": statistics.median(latencies), "p95_ms": p95, "cpu_ms": cpu_ms}


def national_pairs(server: Server, client: requests.Session) -> int:
    """The framework's matched pairs, nationally, as the export gives them."""
    answer = client.get(server.url + "/dashboard/gap.csv?framework=bench&lang=en", timeout=60)
    for row in csv.reader(io.StringIO(answer.text)):
        if row[:2] == ["framework", "bench"]:
            return int(row[6])
    raise RuntimeError("the export has no row for the framework")


def visibility(server: Server, client: requests.Session, source: tuple[str, str], n: int) -> float:
    """Seconds from a new learner's pre and post answers accepted to the pairs' figure."""
    before = national_pairs(server, client)
    who = {"id": f"probe-{n}-{uuid.uuid4().hex[:6]}", "role": "volunteer",
           "organisation": "ets-001", "region": "12"}  # fmt: skip
    events = [
        {
            "id": str(uuid.uuid4()),
            "type": "self_assessment.submitted",
            "schema_version": "1.0",
            "occurred_at": f"2026-0{3 + i}-01T10:00:00+00:00",
            "source": source[0],
            "actor": who,
            "context": {"platform": "moodle", "course": "corso-00"},
            "payload": {
                "framework": "bench",
                "framework_version": "1",
                "competency": "K00",
                "area": "A0",
                "level": 2 + i,
                "max_level": 5,
                "phase": phase,
            },
        }
        for i, phase in enumerate(("pre", "post"))
    ]
    headers = {"Authorization": f"Bearer {source[1]}"}
    answer = requests.post(server.url + "/api/v1/events", json=events, headers=headers, timeout=60)
    assert answer.status_code in (200, 201), answer.text
    assert all(r["status"] == "accepted" for r in answer.json()["results"]), answer.text
    accepted = time.perf_counter()
    while national_pairs(server, client) == before:
        if time.perf_counter() - accepted > 1800:
            raise RuntimeError("the probe's answers did not reach the dashboard in 30 min")
        time.sleep(0.1)
    return time.perf_counter() - accepted


EXPORTS = {
    "gap, CSV": "/dashboard/gap.csv?framework=bench",
    "gap, XLSX": "/dashboard/gap.xlsx?framework=bench",
    "overview, CSV": "/dashboard/overview.csv",
    "follow-up, CSV": "/dashboard/follow-up.csv",
}


def export_memory(server: Server, client: requests.Session, path: str) -> dict[str, float]:
    """A download's size and the serving workers' peak resident memory while it ran."""
    peak, done = [0.0], threading.Event()

    def sample() -> None:
        while not done.is_set():
            rss = max(w.memory_info().rss for w in server.workers()) / 2**20
            peak[0] = max(peak[0], rss)
            time.sleep(0.005)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        started = time.perf_counter()
        with client.get(server.url + path, timeout=600, stream=True) as answer:
            assert answer.status_code == 200, (path, answer.status_code)
            size = sum(len(chunk) for chunk in answer.iter_content(65536))
        seconds = time.perf_counter() - started
    finally:
        done.set()
        sampler.join()
    return {"bytes": size, "seconds": seconds, "peak_rss_mb": peak[0]}


def _backlog(database: Database) -> int:
    with database.sessions() as db:
        return db.scalar(sa.select(sa.func.count()).select_from(Uncounted)) or 0


def ingest_bodies(source: str, events: int, batch: int = 500) -> list[bytes]:
    """API batches of fresh events (answers of other learners, some community activity)."""
    rng, counter = random.Random(7), iter(range(10**9))
    return [
        json.dumps(
            [make_event(rng, next(counter)) | {"source": source} for _ in range(batch)]
        ).encode()
        for _ in range(events // batch)
    ]


def _database(args: argparse.Namespace) -> AbstractContextManager[str]:
    if args.keep:
        return kept_postgres(f"opes_bench_dashboard_{args.learners}x{args.competences}")
    return scratch_postgres()


def _loaded(database: Database, args: argparse.Namespace) -> tuple[int, float, float]:
    """Load and count, or find it done by an earlier ``--keep`` run."""
    with database.sessions() as db:
        stored = db.scalar(sa.select(sa.func.count()).select_from(StoredEvent)) or 0
        queued = db.scalar(sa.select(sa.func.count()).select_from(Uncounted)) or 0
    if not stored:
        return load(database, args.learners, args.competences)
    if queued:
        print(f"kept database: {stored} events, {queued} still to count; counting them")
        started = time.perf_counter()
        while rollups.count_all(database.sessions, limit=5000, most=VACUUM_EVERY):
            _vacuum(database)
        return stored, 0.0, time.perf_counter() - started
    print(f"kept database: {stored} events, loaded and counted by an earlier run")
    return stored, 0.0, 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--learners", type=int, default=10_000)
    parser.add_argument("--competences", type=int, default=50)
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--ingest-rate", type=int, default=5000, help="events/s offered")
    parser.add_argument("--ingest-events", type=int, default=600_000)
    parser.add_argument("--keep", action="store_true", help="keep the loaded database")
    parser.add_argument(
        "--load-only", action="store_true", help="with --keep: load and count, measure later"
    )
    args = parser.parse_args()
    if args.load_only and not args.keep:
        parser.error("--load-only needs --keep, or the loaded database is dropped at once")
    with _database(args) as url, tempfile.TemporaryDirectory() as tmp:
        database = Database(url)
        events, loaded, counted = _loaded(database, args)
        with database.transaction() as db:
            if not any(a.username == "bench" for a in accounts.list_accounts(db)):
                accounts.add_account(
                    db, "bench", "bench-password-long", "coordinator", ["national"]
                )
            name = f"bench-{uuid.uuid4().hex[:6]}"
            source = (name, add_source(db, name).token)
            cells = db.scalar(sa.select(sa.func.count()).select_from(GapCell))
        _vacuum(database, events=True)
        if counted:
            print(f"{events} events: loaded in {loaded:.0f} s, counted in {counted:.0f} s")
            print(f"  counting: {events / counted:.0f} events/s into {cells} cells")
        if args.load_only:
            database.dispose()
            return
        env = {
            "OPES_DATABASE_URL": url,
            "OPES_SECRET_KEY": "bench",
            "OPES_INSTANCE_PATH": str(RESULTS / "instance"),
        }
        # 2 x cores, as docs/operations.md sizes a reporting machine: a page then need not
        # wait behind two 500-event batches being validated.
        serving = ["--service", "reporting", "--workers", "4", "--no-access-log"]
        server = Server.opes(serving, env, free_port())
        bodies = ingest_bodies(name, args.ingest_events)
        try:
            client = _signed_in(server.url, "bench", "bench-password-long")
            quiet = {name: measure(server, client, p, args.requests) for name, p in PAGES.items()}
            exports = {name: export_memory(server, client, p) for name, p in EXPORTS.items()}
            seen_quiet = [visibility(server, client, source, n) for n in range(3)]
            rate = args.ingest_rate / 500  # requests/s of 500-event batches
            load_ = Load(server.url + "/api/v1/events", source[1], bodies, 4, Path(tmp), rate)
            busy = {name: measure(server, client, p, args.requests) for name, p in PAGES.items()}
            seen_busy = visibility(server, client, source, 9) if load_.running() else None
            report: Any = load_.result()
            backlog = _backlog(database)
            # What the backlog the burst left takes to count once it ends.
            drained = visibility(server, client, source, 10)
        finally:
            server.stop()
        if report["error_count"]:
            raise RuntimeError(f"ingestion failed: {report['errors']}")
        achieved = len(bodies) * 500 / report["wall"]
        with database.sessions() as db:
            runs = []
            for _ in range(3):
                started = time.perf_counter()
                db.execute(sa.text(BASELINE_SQL)).all()
                runs.append((time.perf_counter() - started) * 1000)
            plan = "\n".join(row[0] for row in db.execute(sa.text(PLAN_SQL)))
            overview_plan = "\n".join(r[0] for r in db.execute(sa.text(OVERVIEW_PLAN_SQL)))
            fact_cells = db.scalar(sa.text("SELECT count(*) FROM fact_cells"))
        database.dispose()
    baseline = statistics.median(runs)
    print(f"\nbaseline, the gap from one query over the raw events: {baseline:.0f} ms\n")
    print(f"{'page':<34} {'p50 ms':>8} {'p95 ms':>8} {'CPU ms/page':>12} {'baseline/p95':>13}")
    for title, results in (("quiet", quiet), (f"ingesting {achieved:.0f} events/s", busy)):
        print(f"-- {title}")
        for name, r in results.items():
            figures = f"{r['p50_ms']:>8.1f} {r['p95_ms']:>8.1f} {r['cpu_ms']:>12.1f}"
            print(f"{name:<34} {figures} {baseline / r['p95_ms']:>12.0f}x")
    print("\nan event accepted to its figure on the dashboard:")
    print(f"  quiet: {', '.join(f'{s:.1f} s' for s in seen_quiet)}")
    busy_text = f"{seen_busy:.1f} s" if seen_busy is not None else "(load ended first)"
    print(f"  while ingesting: {busy_text}")
    print(f"  right after the burst, with {backlog} events still to count: {drained:.1f} s")
    print("\nexports (a serving worker's peak resident memory):")
    for name, e in exports.items():
        print(
            f"  {name:<16} {e['bytes']:>10} bytes {e['seconds']:>6.2f} s "
            f"{e['peak_rss_mb']:>6.0f} MB"
        )
    print("\nplan of the one-filter gap query:\n" + plan)
    print(f"\nplan of the overview's count ({fact_cells} fact cells):\n" + overview_plan)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"dashboard-{events}.json"
    figures_ = {"events": events, "load_s": loaded, "count_s": counted, "cells": cells}
    figures_ |= {"fact_cells": fact_cells}
    figures_ |= {"baseline_ms": baseline, "pages": quiet, "pages_ingesting": busy}
    figures_ |= {"ingest_events_per_s": achieved, "visible_quiet_s": seen_quiet}
    figures_ |= {"visible_ingesting_s": seen_busy, "exports": exports}
    figures_ |= {"backlog_after_burst": backlog, "visible_after_burst_s": drained}
    out.write_text(json.dumps(figures_, indent=2))


if __name__ == "__main__":
    main()
