"""The coordinators' pages at scale: latency, server CPU per page, and a baseline.

Loads ``--learners`` x ``--competences`` x 2 self-assessment answers (plus one community
event per ten answers) into a scratch PostgreSQL database in bulk, counts them into the
rollups with the service's own code, serves the reporting service under gunicorn and
requests each page as a signed-in national coordinator from this process. The baseline,
in the same run: the same gap figures from one aggregate query over the raw events.

    bench/run dashboard --learners 10000 --competences 50     # 1 M answers
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
import sqlalchemy as sa

from bench.common import RESULTS, Server, scratch_postgres
from opes_lti.accounts import services as accounts
from opes_lti.core.db import Database
from opes_lti.dashboard import rollups
from opes_lti.reporting import ingest
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


def _vacuum(database: Database) -> None:
    with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in ("events_uncounted", "gap_pairs", "gap_cells", "facts", "community_members"):
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--learners", type=int, default=10_000)
    parser.add_argument("--competences", type=int, default=50)
    parser.add_argument("--requests", type=int, default=60)
    args = parser.parse_args()
    with scratch_postgres() as url:
        database = Database(url)
        events, loaded, counted = load(database, args.learners, args.competences)
        with database.transaction() as db:
            accounts.add_account(db, "bench", "bench-password-long", "coordinator", ["national"])
            cells = db.scalar(sa.text("SELECT count(*) FROM gap_cells"))
            db.execute(sa.text("ANALYZE"))
        print(f"{events} events: loaded in {loaded:.0f} s, counted in {counted:.0f} s")
        print(f"  counting: {events / counted:.0f} events/s into {cells} cells")
        env = {
            "OPES_DATABASE_URL": url,
            "OPES_SECRET_KEY": "bench",
            "OPES_INSTANCE_PATH": str(RESULTS / "instance"),
        }
        serving = ["--service", "reporting", "--workers", "2", "--no-access-log"]
        server = Server.opes(serving, env, free_port())
        try:
            client = _signed_in(server.url, "bench", "bench-password-long")
            results = {name: measure(server, client, p, args.requests) for name, p in PAGES.items()}
        finally:
            server.stop()
        with database.sessions() as db:
            runs = []
            for _ in range(3):
                started = time.perf_counter()
                db.execute(sa.text(BASELINE_SQL)).all()
                runs.append((time.perf_counter() - started) * 1000)
            plan = "\n".join(row[0] for row in db.execute(sa.text(PLAN_SQL)))
        database.dispose()
    baseline = statistics.median(runs)
    print(f"\nbaseline, the gap from one query over the raw events: {baseline:.0f} ms\n")
    print(f"{'page':<34} {'p50 ms':>8} {'p95 ms':>8} {'CPU ms/page':>12} {'baseline/p95':>13}")
    for name, r in results.items():
        ratio = baseline / r["p95_ms"]
        figures = f"{r['p50_ms']:>8.1f} {r['p95_ms']:>8.1f} {r['cpu_ms']:>12.1f}"
        print(f"{name:<34} {figures} {ratio:>12.0f}x")
    print("\nplan of the one-filter gap query:\n" + plan)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"dashboard-{events}.json"
    figures_ = {"events": events, "load_s": loaded, "count_s": counted, "cells": cells}
    out.write_text(json.dumps(figures_ | {"baseline_ms": baseline, "pages": results}, indent=2))


if __name__ == "__main__":
    main()
