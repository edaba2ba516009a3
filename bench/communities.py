"""A community of 2,000 members and 1,000 published practices, one request at a time.

A scratch PostgreSQL database holds the community (and four smaller ones, so searches
must pick one community's practices out of more), every practice with a full sheet of
Italian text. gunicorn serves the tool with one worker and one thread, so each figure
is one request's own cost. Timed: ``/healthz`` (the baseline), the community page (its
members, its latest practices), the library's first page, a search by words (stemmed,
accents folded, one of twenty queries in turn), a search by words and a region, and
one practice's page. Beside the client's latency, the server's CPU per call; and the
search alone as the service runs it, without HTTP, with its plan.

    bench/run communities [--members 2000 --practices 1000 --calls 200]
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
import sqlalchemy as sa

from bench.common import (
    RESULTS,
    bench_platform,
    page_token,
    percentile,
    scratch_postgres,
    single_worker_tool,
)
from bench.groupwork import timed
from opes_lti.communities import library, practice, search
from opes_lti.communities import services as communities
from opes_lti.communities.models import Community, CommunityMember, Practice
from opes_lti.communities.spec import parse
from opes_lti.core.db import Database

LINK = "rl-community"
SLUG = "giovani"
THEMES = ["giovani", "anziani", "inclusione", "scuola", "lavoro", "ambiente", "salute", "casa"]
_TEXT = (
    "dispersione scolastica periferie città quartiere volontari famiglie fragili anziani soli "
    "inclusione lavorativa giovani disoccupati orti urbani comunità energetica cooperativa "
    "sociale doposcuola mensa solidale sportello ascolto migranti accoglienza formazione "
    "competenze digitali biblioteca teatro sport disabilità autonomia trasporto assistenza "
    "domiciliare rete associazioni comune azienda sanitaria coprogettazione partecipazione"
)
_WORDS = _TEXT.split()
QUERIES = [
    "dispersione scolastica", "citta", "volontari anziani", "orti urbani", "inclusione",
    "doposcuola -mensa", "sportello ascolto", "competenze digitali", "comunita energetica",
    "migranti accoglienza", '"mensa solidale"', "famiglia", "teatro", "disabilita autonomia",
    "azienda sanitaria", "coprogettazione", "biblioteca", "sport giovani", "trasporti",
    "assistenza domiciliare",
]  # fmt: skip


_SYLLABLE_TEXT = "ba be ca co da de fa fi ga lo ma me na no pa pe ra ri sa so ta te va vi zo"
_SYLLABLES = tuple(_SYLLABLE_TEXT.split())
#: Other words of a sheet, so that each query's words stand in a few practices, not all.
_FILLER = sorted(
    {
        "".join(random.Random(n).choices(_SYLLABLES, k=3 + n % 2)) + random.Random(n).choice("aeio")
        for n in range(4000)
    }
)


def _sentence(rng: random.Random, n: int) -> str:
    words = (rng.choice(_WORDS) if rng.random() < 0.03 else rng.choice(_FILLER) for _ in range(n))
    return " ".join(words).capitalize() + "."


def _sheet(rng: random.Random, n: int) -> dict[str, Any]:
    return {
        "title": f"Pratica {n}: {_sentence(rng, 4)[:-1]}",
        "organisations": [f"org-{n % 60}"],
        "region": f"{n % 20 + 1:02d}",
        "problem": f"<p>{_sentence(rng, 40)}</p><p>{_sentence(rng, 30)}</p>",
        "audience": f"<p>{_sentence(rng, 12)}</p>",
        "actions": f"<p>{_sentence(rng, 60)}</p>",
        "results": f"<p>{_sentence(rng, 25)}</p>",
        "lessons": f"<p>{_sentence(rng, 25)}</p>",
        "transfer": f"<p>{_sentence(rng, 20)}</p>",
        "evidence": [{"indicator": "partecipanti", "value": str(rng.randint(10, 500))}],
        "partners": [{"name": "Comune partner", "public_body": "municipality"}],
        "themes": rng.sample(THEMES, 2),
    }


def seed(url: str, members: int, practices: int) -> tuple[int, list[str]]:
    """The platform, the communities, members and published practices: the refs."""
    rng = random.Random(7)
    database = Database(url)
    refs = []
    with database.transaction() as db:
        platform_id = bench_platform(db)
        made = [
            communities.add(db, parse({"slug": slug, "name": slug.title()}))
            for slug in (SLUG, "welfare", "ambiente", "lavoro", "cultura")
        ]
        db.flush()
        joined = datetime(2026, 3, 1, tzinfo=UTC)
        db.add_all(
            CommunityMember(
                community_id=made[0].id, user=f"member-{i}", organisation=f"org-{i % 60}",
                region=f"{i % 20 + 1:02d}", shows_organisation=i % 2 == 0,
                shows_region=i % 3 == 0, joined_at=joined + timedelta(minutes=i),
            )
            for i in range(members)
        )  # fmt: skip
        published = datetime(2026, 4, 1, tzinfo=UTC)
        for n in range(practices * 2):
            # Half in the measured community, half spread over the other four.
            community = made[0] if n % 2 == 0 else made[1 + n % 4]
            spec = practice.parse(_sheet(rng, n))
            row = Practice(ref=uuid.uuid4().hex, community_id=community.id,
                           author=f"member-{n % members}", state="published")  # fmt: skip
            library.fill(row, spec)
            row.published_at = published + timedelta(hours=n)
            db.add(row)
            if community is made[0]:
                refs.append(row.ref)
    database.dispose()
    return platform_id, refs


def analyze(url: str) -> None:
    """Statistics for the planner, as autovacuum keeps them on a library in use."""
    database = Database(url)
    with database.sessions() as db:
        db.execute(sa.text("ANALYZE"))
        db.commit()
    database.dispose()


def service_search(url: str, calls: int) -> tuple[dict[str, float], str]:
    """The search as the service runs it (no HTTP): latencies, and the plan of one."""
    database = Database(url)
    times = []
    with database.sessions() as db:
        community = db.scalar(sa.select(Community).where(Community.slug == SLUG))
        for i in range(calls):
            started = time.perf_counter()
            library.library(db, community, library.Query(text=QUERIES[i % len(QUERIES)]))
            times.append((time.perf_counter() - started) * 1000)
        condition = search.matches(db, "dispersione scolastica")
        query = sa.select(Practice.id).where(
            Practice.state == "published", Practice.community_id == community.id, condition
        )
        compiled = query.compile(db.get_bind(), compile_kwargs={"literal_binds": True})
        plan = "\n".join(r[0] for r in db.execute(sa.text(f"EXPLAIN ANALYZE {compiled}")))
    database.dispose()
    return {"p50_ms": percentile(times, 50), "p95_ms": percentile(times, 95)}, plan


def figures(members: int, practices: int, calls: int) -> dict[str, Any]:
    """Every timed call against a freshly seeded database."""
    with scratch_postgres() as url, tempfile.TemporaryDirectory() as tmp:
        platform_id, refs = seed(url, members, practices)
        analyze(url)
        server = single_worker_tool(url, tmp, 5398)
        http = requests.Session()
        token = page_token(platform_id, "member-1", LINK, {"activity": "community"})

        def post(path: str, **data: str) -> None:
            sent = {"token": token, "community": SLUG, **data}
            answer = http.post(server.url + "/community" + path, data=sent, timeout=30)
            if answer.status_code != 200:
                raise RuntimeError(f"{path} {answer.status_code}: {answer.text[-300:]}")

        try:
            out: dict[str, Any] = {
                "healthz_baseline": timed(
                    lambda _i: http.get(server.url + "/healthz", timeout=10), calls, server
                ),
                "community_page": timed(lambda _i: post("/open"), max(20, calls // 4), server),
                "library_first_page": timed(lambda _i: post("/library"), calls, server),
                "search_words": timed(
                    lambda i: post("/library", q=QUERIES[i % len(QUERIES)]), calls, server
                ),
                "search_words_and_region": timed(
                    lambda i: post("/library", q=QUERIES[i % len(QUERIES)], region="05"),
                    calls,
                    server,
                ),
                "practice_page": timed(
                    lambda i: post("/practice", practice=refs[i % len(refs)]), calls, server
                ),
            }
        finally:
            server.stop()
        out["search_in_service"], out["plan"] = service_search(url, calls)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--practices", type=int, default=1000)
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    out = figures(args.members, args.practices, args.calls)
    base = out["healthz_baseline"]["p50_ms"]
    print(f"{args.members} members, {args.practices} practices in the community "
          f"({args.practices * 2} in all), {args.calls} calls each\n")  # fmt: skip
    print(f"{'call':<28} {'p50 ms':>8} {'p95 ms':>8} {'server CPU ms':>14} {'p50 / healthz':>14}")
    for name, r in out.items():
        if name in ("plan", "search_in_service"):
            continue
        row = f"{r['p50_ms']:>8.1f} {r['p95_ms']:>8.1f} {r['server_cpu_ms_per_call']:>14.1f}"
        print(f"{name:<28} {row} {r['p50_ms'] / base:>13.1f}x")
    s = out["search_in_service"]
    print(f"{'search, in the service':<28} {s['p50_ms']:>8.1f} {s['p95_ms']:>8.1f}")
    print("\nplan of a search by two words:\n" + out["plan"])
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "communities.json").write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
