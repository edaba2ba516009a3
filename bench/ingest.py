"""Ingestion throughput and latency on PostgreSQL, gunicorn with 2 workers, against a baseline.

    bench/run ingest            (or: .venv/bin/python bench/ingest.py [--batches N] ...)

The server runs in its own processes; the load comes from a second process on loopback.
On 2 cores they compete, so the server's own CPU time per operation is reported beside
throughput and latency. The baseline, measured in the same run against the same database,
is one plain SQLAlchemy Core ``insert()`` per batch of the same rows, with no HTTP, no
validation and no deduplication: the ratio is what the service's work costs on top.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench.common import RESULTS, Server, drive, percentile, scratch_postgres
from opes_lti.core.db import make_engine
from opes_lti.reporting.models import StoredEvent
from opes_lti.reporting.sources import add_source

SOURCE = "bench"
COMPETENCES = [f"c{n:02d}" for n in range(30)]


def make_event(rng: random.Random, n: int) -> dict[str, Any]:
    """A realistic event: mostly self-assessment answers, some community activity."""
    actor = {
        "id": f"u{rng.randrange(5000):05d}",
        "role": rng.choice(["manager", "volunteer"]),
        "organisation": f"ets-{rng.randrange(300):03d}",
        "region": f"{rng.randint(1, 20):02d}",
    }
    when = datetime(2026, 4, 1, tzinfo=UTC) + timedelta(seconds=n)
    base = {
        "id": str(uuid.uuid4()),
        "schema_version": "1.0",
        "occurred_at": when.isoformat(),
        "source": SOURCE,
        "actor": actor,
        "context": {"platform": "moodle", "course": "c-101", "activity": "sa-pre"},
    }
    if n % 10 == 9:
        return base | {
            "type": "community.practice_shared",
            "payload": {
                "community": "inclusione",
                "practice": f"p{n}",
                "title": "Sportello di ascolto di quartiere",
            },
        }
    level = rng.randint(0, 5)
    return base | {
        "type": "self_assessment.submitted",
        "payload": {
            "framework": "opes-progettazione",
            "framework_version": "1.0",
            "competency": rng.choice(COMPETENCES),
            "level": level,
            "max_level": 5,
            "phase": rng.choice(["pre", "post"]),
        },
    }


def baseline_row(event: dict[str, Any], source_id: int, now: datetime) -> dict[str, Any]:
    """The same row the service stores, built by hand with no validation."""
    payload = event["payload"]
    return {
        "id": uuid.UUID(event["id"]),
        "source_id": source_id,
        "type": event["type"],
        "schema_version": "1.0",
        "occurred_at": datetime.fromisoformat(event["occurred_at"]),
        "received_at": now,
        "content_hash": "0" * 64,
        "actor_id": event["actor"]["id"],
        "actor_role": event["actor"]["role"],
        "organisation": event["actor"]["organisation"],
        "region": event["actor"]["region"],
        "platform": "moodle",
        "course": "c-101",
        "activity": "sa-pre",
        "community": payload.get("community"),
        "framework": payload.get("framework"),
        "competency": payload.get("competency"),
        "phase": payload.get("phase"),
        "level": payload.get("level"),
        "envelope": event,
    }


def baseline(
    url: str,
    source_id: int,
    batches: list[list[dict[str, Any]]],
    singles: list[dict[str, Any]],
    concurrency: int,
) -> dict[str, float]:
    """Core inserts of the same rows from ``concurrency`` threads, like the server's workers:
    a batch per transaction, then a row per transaction. CPU is this process's own."""
    engine = make_engine(url, pool_size=concurrency)
    table = StoredEvent.__table__
    now = datetime.now(UTC)

    def fresh(event: dict[str, Any]) -> dict[str, Any]:
        return baseline_row(dict(event, id=str(uuid.uuid4())), source_id, now)

    def timed(jobs: list[list[dict[str, Any]]]) -> tuple[float, float, list[float]]:
        work = list(jobs)
        latencies: list[float] = []
        lock = threading.Lock()

        def worker() -> None:
            while True:
                with lock:
                    if not work:
                        return
                    job = work.pop()
                rows = [fresh(e) for e in job]
                t0 = time.perf_counter()
                with engine.begin() as conn:
                    conn.execute(sa.insert(table), rows)
                with lock:
                    latencies.append((time.perf_counter() - t0) * 1000)

        cpu0, wall0 = time.process_time(), time.perf_counter()
        threads = [threading.Thread(target=worker) for _ in range(concurrency)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return time.perf_counter() - wall0, time.process_time() - cpu0, latencies

    try:
        timed(batches[:2])  # warm the pool and the statement cache
        wall, cpu, batch_ms = timed(batches)
        single_wall, single_cpu, single_ms = timed([[e] for e in singles])
    finally:
        engine.dispose()
    events = sum(len(b) for b in batches)
    return {
        "events_per_s": events / wall,
        "batch_p50_ms": statistics.median(batch_ms),
        "batch_p95_ms": percentile(batch_ms, 95),
        "cpu_us_per_event": cpu * 1e6 / events,
        "single_per_s": len(singles) / single_wall,
        "single_p95_ms": percentile(single_ms, 95),
        "single_cpu_ms": single_cpu * 1000 / len(singles),
    }


def phase(
    server: Server, token: str, bodies: list[bytes], concurrency: int, events: int, scratch: Path
) -> dict[str, float]:
    """One load phase, with throughput, latency and the server's CPU per request."""
    cpu_before = server.cpu_seconds()
    report = drive(server.url + "/api/v1/events", token, bodies, concurrency, scratch)
    cpu = server.cpu_seconds() - cpu_before
    if report["error_count"]:
        raise RuntimeError(f"requests failed: {report['errors']}")
    latencies = report["latencies_ms"]
    wall = report["wall"]
    return {
        "requests": len(bodies),
        "requests_per_s": len(bodies) / wall,
        "events_per_s": events / wall,
        "p50_ms": statistics.median(latencies),
        "p95_ms": percentile(latencies, 95),
        "p99_ms": percentile(latencies, 99),
        "server_cpu_ms_per_request": cpu * 1000 / len(bodies),
        "server_cpu_us_per_event": cpu * 1e6 / events,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=40, help="500-event batches to post")
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--singles", type=int, default=3000, help="single-event requests")
    parser.add_argument("--port", type=int, default=5391)
    args = parser.parse_args()
    rng = random.Random(1)
    counter = iter(range(10**9))
    batches = [
        [make_event(rng, next(counter)) for _ in range(args.batch_size)]
        for _ in range(args.batches)
    ]
    singles = [make_event(rng, next(counter)) for _ in range(args.singles)]
    warm = [make_event(rng, next(counter)) for _ in range(args.batch_size * 3)]

    with scratch_postgres() as url, tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        engine = make_engine(url)
        from sqlalchemy.orm import Session

        with Session(engine) as db, db.begin():
            created = add_source(db, SOURCE)
            token, source_id = created.token, created.row.id
        engine.dispose()
        env = {
            "OPES_DATABASE_URL": url,
            "OPES_INSTANCE_PATH": str(scratch),
            "OPES_SECRET_KEY": "bench",
        }
        server = Server.opes(
            ["--service", "reporting", "--workers", "2", "--threads", "1"], env, args.port
        )
        try:
            # Warm-up: imports, connection pools, PostgreSQL's caches.
            phase(
                server,
                token,
                [
                    json.dumps(warm[i : i + args.batch_size]).encode()
                    for i in range(0, len(warm), args.batch_size)
                ],
                2,
                len(warm),
                scratch,
            )
            phase(server, token, [json.dumps(e).encode() for e in warm[:300]], 4, 300, scratch)

            batch_bodies = [json.dumps(b).encode() for b in batches]
            batched = phase(server, token, batch_bodies, 2, sum(map(len, batches)), scratch)
            single = phase(
                server, token, [json.dumps(e).encode() for e in singles], 4, len(singles), scratch
            )
            # Re-posting stored batches: the deduplication path (all "duplicate").
            again = phase(server, token, batch_bodies[:10], 2, 10 * args.batch_size, scratch)
            rss = [w.memory_info().rss / 2**20 for w in server.workers()]
        finally:
            server.stop()
        base = baseline(url, source_id, batches, singles, concurrency=2)

    results = {
        "batched": batched,
        "single": single,
        "duplicates": again,
        "baseline": base,
        "worker_rss_mib": rss,
        "batch_size": args.batch_size,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"ingest-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    out.write_text(json.dumps(results, indent=2))
    report(results)
    print(f"\nraw figures: {out.relative_to(RESULTS.parent.parent)}")


def report(r: dict[str, Any]) -> None:
    """Print the figures and the ratios to the baseline."""
    b, s, d, base = r["batched"], r["single"], r["duplicates"], r["baseline"]
    n = r["batch_size"]
    print("Ingestion on PostgreSQL, gunicorn 2 sync workers, load from a second process\n")
    print(f"{'':34}{'throughput':>16}{'p50 ms':>9}{'p95 ms':>9}{'srv CPU/op':>14}")
    print(
        f"{f'batches of {n} (2 clients)':34}{b['events_per_s']:>10,.0f} ev/s"
        f"{b['p50_ms']:>9.1f}{b['p95_ms']:>9.1f}{b['server_cpu_ms_per_request']:>11.1f} ms"
    )
    print(
        f"{'single events (4 clients)':34}{s['requests_per_s']:>9,.0f} req/s"
        f"{s['p50_ms']:>9.1f}{s['p95_ms']:>9.1f}{s['server_cpu_ms_per_request']:>11.2f} ms"
    )
    print(
        f"{f'duplicate batches of {n}':34}{d['events_per_s']:>10,.0f} ev/s"
        f"{d['p50_ms']:>9.1f}{d['p95_ms']:>9.1f}{d['server_cpu_ms_per_request']:>11.1f} ms"
    )
    print(
        f"{'baseline: Core insert per batch':34}{base['events_per_s']:>10,.0f} ev/s"
        f"{base['batch_p50_ms']:>9.1f}{base['batch_p95_ms']:>9.1f}"
        f"{base['cpu_us_per_event'] * n / 1000:>11.1f} ms"
    )
    print(
        f"{'baseline: Core insert per row':34}{base['single_per_s']:>9,.0f} req/s"
        f"{'':>9}{base['single_p95_ms']:>9.1f}{base['single_cpu_ms']:>11.2f} ms"
    )
    print()
    print(
        "(both sides: 2 concurrent writers; CPU/op is the server's, or the baseline "
        "process's own; PostgreSQL's is in neither)"
    )
    cpu_ratio = b["server_cpu_us_per_event"] / base["cpu_us_per_event"]
    print(
        f"batched: throughput {b['events_per_s'] / base['events_per_s']:.2f}x the baseline,"
        f" CPU per event {b['server_cpu_us_per_event']:.0f} µs vs "
        f"{base['cpu_us_per_event']:.0f} µs ({cpu_ratio:.1f}x):"
        " HTTP, JSON, validation and deduplication"
    )
    print(
        f"single:  throughput {s['requests_per_s'] / base['single_per_s']:.2f}x the baseline,"
        f" CPU per request {s['server_cpu_ms_per_request'] / base['single_cpu_ms']:.1f}x"
    )
    print("worker RSS: " + ", ".join(f"{m:.0f} MiB" for m in r["worker_rss_mib"]))
    print(
        "published anchors: Learning Locker ~1,000 statements/min on 2 CPUs (~17/s); "
        "Open edX Aspects' xAPI path ~50 events/s per worker"
    )
    print()
    print(
        "targets: >= 5,000 ev/s batched: "
        + _ok(b["events_per_s"] >= 5000)
        + "; >= 500 req/s single: "
        + _ok(s["requests_per_s"] >= 500)
        + "; batch p95 < 250 ms: "
        + _ok(b["p95_ms"] < 250)
    )


def _ok(flag: bool) -> str:
    return "met" if flag else "NOT met"


if __name__ == "__main__":
    main()
