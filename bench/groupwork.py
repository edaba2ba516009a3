"""Group work's pages with 500 groups in the course, one request at a time, beside /healthz.

A scratch PostgreSQL database holds one exercise of ``--groups`` groups of four, each
with a draft; gunicorn serves the tool with one worker and one thread, so each figure is
one request's own cost. Timed: the learner's group page, a draft save (each on the
version before, as a person saving again does), the submit handler (each call a
different group's hand-in, with its outcome event), the instructor's page listing every
group, and one group's page for the instructor. The server's CPU per call is measured
beside the client's wall-clock latency.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import requests

from bench.common import (
    BENCH_ISSUER,
    LEARNER_ROLE,
    RESULTS,
    ROOT,
    Server,
    bench_platform,
    page_token,
    percentile,
    scratch_postgres,
    single_worker_tool,
)
from opes_lti.core.db import Database
from opes_lti.events.domain import Context
from opes_lti.groups.formation import Member
from opes_lti.groupwork import exercises, membership, work
from opes_lti.groupwork.membership import Joining

LINK = "rl-groupwork"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"


def seed(url: str, groups: int) -> tuple[int, list[list[str]]]:
    """The platform, and an exercise of ``groups`` groups of four with a draft each."""
    database = Database(url)
    with database.transaction() as db:
        platform_id = bench_platform(db)
        where = exercises.Where(
            Context(platform="lti", platform_id=BENCH_ISSUER, course="course-1", activity=LINK),
            LINK,
            platform_id=platform_id,
        )
        exercise = exercises.open_exercise(
            db, where, {"title": "Bench", "least": 4, "most": 4, "formation": "mix_organisations"}
        )
        db.flush()
        roster = [
            Joining(Member(f"learner-{i}", f"org-{i % 97}", f"{i % 20 + 1:02d}", ""), f"s{i}")
            for i in range(groups * 4)
        ]
        membership.form_groups(db, exercise, roster)
        members = []
        for group in membership.groups_of(db, exercise):
            users = [m.user for m in membership.members(db, group)]
            work.save(db, exercise, group, users[0], 0, f"Bozza del gruppo {group.number}\n" * 40)
            members.append(users)
    database.dispose()
    return platform_id, members


def timed(call: Callable[[int], Any], n: int, server: Server) -> dict[str, float]:
    """Wall-clock latencies of ``n`` calls, and the server's CPU per call."""
    call(0)
    cpu0 = server.cpu_seconds()
    times = []
    for i in range(1, n + 1):
        start = time.perf_counter()
        call(i)
        times.append((time.perf_counter() - start) * 1000)
    return {
        "p50_ms": percentile(times, 50),
        "p95_ms": percentile(times, 95),
        "server_cpu_ms_per_call": (server.cpu_seconds() - cpu0) * 1000 / n,
    }


def figures(groups: int, calls: int) -> dict[str, dict[str, float]]:
    """Every timed call against a freshly seeded database."""
    with scratch_postgres() as url, tempfile.TemporaryDirectory() as tmp:
        platform_id, members = seed(url, groups)
        server = single_worker_tool(url, tmp, 5397)
        http = requests.Session()

        def token(user: str, role: str = LEARNER_ROLE) -> str:
            return page_token(platform_id, user, LINK, {"activity": "groupwork"}, role)

        def post(path: str, data: dict[str, str], expect: int = 200) -> None:
            answer = http.post(server.url + "/groupwork" + path, data=data, timeout=30)
            if answer.status_code != expect:
                raise RuntimeError(f"{path} {answer.status_code}: {answer.text[-300:]}")

        writer = token(members[0][0])
        teacher = token("prof", INSTRUCTOR)
        calls = min(calls, groups - 2)
        try:
            out = {
                "healthz_baseline": timed(
                    lambda _i: http.get(server.url + "/healthz", timeout=10), calls, server
                ),
                "group_page": timed(lambda _i: post("/back", {"token": writer}), calls, server),
                "draft_save": timed(
                    lambda i: post(
                        "/draft",
                        {
                            "token": writer,
                            "based_on": str(i + 1),
                            "text": f"Versione {i}\n" + "Testo del progetto.\n" * 40,
                        },
                    ),
                    calls,
                    server,
                ),
                "submit": timed(
                    lambda i: post(
                        "/submit",
                        {"token": token(members[i + 1][1]), "confirmed": "1", "seen": "yes"},
                    ),
                    calls,
                    server,
                ),
                "instructor_all_groups": timed(
                    lambda _i: post("/staff", {"token": teacher}), max(10, calls // 10), server
                ),
                "instructor_one_group": timed(
                    lambda i: post(
                        "/staff/group", {"token": teacher, "group": str(i % groups + 1)}
                    ),
                    max(10, calls // 5),
                    server,
                ),
            }
        finally:
            server.stop()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", type=int, default=500)
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    found = figures(args.groups, args.calls)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"groupwork-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    out.write_text(json.dumps({"groups": args.groups, "figures": found}, indent=2))
    print(f"Group work, {args.groups} groups of 4 in one course, one request at a time\n")
    print(f"{'':28}{'p50 ms':>9}{'p95 ms':>9}{'server CPU ms':>15}{'x /healthz':>12}")
    floor = found["healthz_baseline"]["p50_ms"]
    for name, row in found.items():
        print(
            f"{name:28}{row['p50_ms']:>9.2f}{row['p95_ms']:>9.2f}"
            f"{row['server_cpu_ms_per_call']:>15.2f}{row['p50_ms'] / floor:>12.1f}"
        )
    print(f"\nraw figures: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
