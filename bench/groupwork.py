"""Group work's pages with 500 groups in the course, one request at a time, beside /healthz.

A scratch PostgreSQL database holds one exercise of ``--groups`` groups of four, each
with a draft, on each face: an LTI placement and an Open edX block. gunicorn serves the
tool with one worker and one thread, so each figure is one request's own cost. Timed on
each face: the learner's group page, a draft save (each on the version before, as a
person saving again does), the submit handler (each call a different group's hand-in,
with its outcome event), the instructor's page listing every group, and one group's
page for the instructor. The block's figures are the tool's side of a block's call (the
LMS adds its own rendering). The server's CPU per call is measured beside the client's
wall-clock latency.
"""

from __future__ import annotations

import argparse
import hashlib
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


def formed_with_drafts(db: Any, exercise: Any, roster: list[Joining]) -> list[list[str]]:
    """The roster formed into groups, each with a first draft: every group's members."""
    membership.form_groups(db, exercise, roster)
    members = []
    for group in membership.groups_of(db, exercise):
        users = [m.user for m in membership.members(db, group)]
        work.save(db, exercise, group, users[0], 0, f"Bozza del gruppo {group.number}\n" * 40)
        members.append(users)
    return members


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
        members = formed_with_drafts(db, exercise, roster)
    database.dispose()
    return platform_id, members


BLOCK = "block-v1:OPES+Bench+2026+type@opes_groupwork+block@bench"
BLOCK_COURSE = "course-v1:OPES+Bench+2026"
BLOCK_SETTINGS = {"title": "Bench", "least": 4, "most": 4, "formation": "mix_organisations"}


def pseudonym(n: int) -> str:
    """A learner's id as the block sends it (a hash of the platform's id)."""
    return hashlib.sha256(f"openedx\x1fbench-{n}".encode()).hexdigest()


def seed_block(url: str, groups: int) -> tuple[str, list[list[str]]]:
    """A site's block with ``groups`` groups of four, a draft each: the token, the members."""
    from opes_lti.groupwork.models import Visitor
    from opes_lti.sites import services

    database = Database(url)
    with database.transaction() as db:
        issued = services.REGISTRY.add(db, "bench-openedx")
        token, site = issued.token, issued.row
        where = exercises.Where(
            Context(platform="openedx", platform_id=site.name, course=BLOCK_COURSE, activity=BLOCK),
            BLOCK,
            site_id=site.id,
        )
        exercise = exercises.open_exercise(db, where, BLOCK_SETTINGS)
        db.flush()
        roster = [
            Joining(Member(pseudonym(i), f"org-{i % 97}", f"{i % 20 + 1:02d}", ""), f"bench-{i}")
            for i in range(groups * 4)
        ]
        db.add_all(
            Visitor(
                exercise_id=exercise.id,
                user=j.member.id,
                organisation=j.member.organisation,
                region=j.member.region,
                subject=j.subject,
            )
            for j in roster
        )
        members = formed_with_drafts(db, exercise, roster)
    database.dispose()
    return token, members


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
        site_token, block_members = seed_block(url, groups)
        analyze(url)
        server = single_worker_tool(url, tmp, 5397)
        http = requests.Session()

        def block(name: str, user: str, role: str = "learner", **body: Any) -> None:
            answer = http.post(
                f"{server.url}/api/v1/blocks/groupwork/{name}",
                json={"placement": BLOCK, "settings": BLOCK_SETTINGS} | body,
                headers={
                    "Authorization": f"Bearer {site_token}",
                    "X-OPES-Actor": user,
                    "X-OPES-Role": role,
                    "X-OPES-Course": BLOCK_COURSE,
                },
                timeout=30,
            )
            if answer.status_code != 200:
                raise RuntimeError(f"block {name} {answer.status_code}: {answer.text[-300:]}")

        block_writer = block_members[0][0]
        teacher_id = hashlib.sha256(b"bench-teacher").hexdigest()
        first_group = _first_block_group(url)

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
                "block_group_page": timed(lambda _i: block("page", block_writer), calls, server),
                "block_draft_save": timed(
                    lambda i: block(
                        "draft",
                        block_writer,
                        based_on=i + 1,
                        text=f"Versione {i}\n" + "Testo del progetto.\n" * 40,
                    ),
                    calls,
                    server,
                ),
                "block_submit": timed(
                    lambda i: block("submit", block_members[i + 1][1], confirmed=1),
                    calls,
                    server,
                ),
                "block_instructor_all_groups": timed(
                    lambda _i: block("page", teacher_id, role="staff"), max(10, calls // 10), server
                ),
                "block_instructor_one_group": timed(
                    lambda i: block(
                        "group", teacher_id, role="staff", group=first_group + i % groups
                    ),
                    max(10, calls // 5),
                    server,
                ),
            }
        finally:
            server.stop()
    return out


def analyze(url: str) -> None:
    """Statistics for the planner, as autovacuum keeps them for a course that has run.

    Right after a bulk seed the planner believes each table holds a row, and picks
    nested loops over thousands.
    """
    import sqlalchemy as sa

    database = Database(url)
    with database.sessions() as db:
        db.execute(sa.text("ANALYZE"))
        db.commit()
    database.dispose()


def _first_block_group(url: str) -> int:
    """The id of the block's first group (its groups' ids follow on)."""
    import sqlalchemy as sa

    from opes_lti.groupwork.models import Exercise, Group

    database = Database(url)
    with database.sessions() as db:
        found = db.scalar(
            sa.select(sa.func.min(Group.id))
            .join(Exercise, Group.exercise_id == Exercise.id)
            .where(Exercise.placement_id == BLOCK)
        )
    database.dispose()
    return int(found)


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
