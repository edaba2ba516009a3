"""Full LTI launches per second (login + launch) against a bare pylti1p3 baseline.

    bench/run lti_launch [--launches 2000 --concurrency 16 --rounds 5]

Both tools run under gunicorn with 2 workers; 16 concurrent clients in a second process do
whole launches (login, id_token minted as the platform would, launch). The OPES tool runs
as in production: PostgreSQL, launch state in Redis, the launch recorded, the nonce
consumed, the activity page rendered. The baseline is pylti1p3's Flask example: its own
checks only, state and nonce in cookies, the key set in an in-memory cache. Server CPU per
launch is the fair comparison on 2 cores, where the clients compete with the servers.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from jwcrypto.jwk import JWK

from bench.common import RESULTS, ROOT, Server, percentile, scratch_postgres
from opes_lti.core.db import Database
from opes_lti.lti.registrations import PlatformSpec, add_platform
from tests.support.platform import private_pem

REDIS_URL = "redis://127.0.0.1:6379/13"


def serve_jwks(jwks: dict[str, Any]) -> ThreadingHTTPServer:
    """The platform's key set, on loopback."""
    body = json.dumps(jwks).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def run_load(server: Any, config: dict[str, Any], scratch: Path) -> dict[str, float]:
    """Warm up, then measure one load run."""
    path = scratch / "load.json"
    loadgen = [sys.executable, str(ROOT / "bench" / "launch_loadgen.py"), str(path)]
    path.write_text(json.dumps(config | {"launches": 60, "tool": server.url}))
    subprocess.run(loadgen, capture_output=True, check=True, cwd=ROOT)
    path.write_text(json.dumps(config | {"tool": server.url}))
    cpu0 = server.cpu_seconds()
    out = subprocess.run(loadgen, capture_output=True, text=True, check=True, cwd=ROOT)
    cpu = server.cpu_seconds() - cpu0
    report = json.loads(out.stdout)
    if report["error_count"]:
        raise RuntimeError(f"launches failed: {report['errors']}")
    latencies = report["latencies_ms"]
    return {
        "launches_per_s": len(latencies) / report["wall"],
        "p50_ms": statistics.median(latencies),
        "p95_ms": percentile(latencies, 95),
        "server_cpu_ms_per_launch": cpu * 1000 / len(latencies),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--launches", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=5, help="alternating runs of each tool")
    args = parser.parse_args()
    pem = private_pem()
    jwk = json.loads(JWK.from_pem(pem.encode()).export_public())
    kid = "bench-platform-key"
    jwks_server = serve_jwks({"keys": [jwk | {"kid": kid, "alg": "RS256", "use": "sig"}]})
    issuer = "https://platform.bench.example"
    spec = PlatformSpec(
        name="bench",
        issuer=issuer,
        client_id="bench-client",
        auth_login_url="https://platform.bench.example/auth",
        auth_token_url="https://platform.bench.example/token",  # noqa: S106 - a URL
        key_set_url=f"http://127.0.0.1:{jwks_server.server_port}/jwks",
        deployment_ids=("1",),
    )
    load = {
        "issuer": issuer,
        "client_id": "bench-client",
        "deployment_id": "1",
        "pem": pem,
        "kid": kid,
        "launches": args.launches,
        "concurrency": args.concurrency,
    }
    with scratch_postgres() as url, tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        database = Database(url)
        with database.transaction() as db:
            add_platform(db, spec)
        database.dispose()
        port = 5393
        env = {
            "OPES_DATABASE_URL": url,
            "OPES_INSTANCE_PATH": tmp,
            "OPES_SECRET_KEY": "bench",
            "OPES_REDIS_URL": REDIS_URL,
            "OPES_BASE_URL": f"http://127.0.0.1:{port}",
        }
        # No access log, as the baseline's gunicorn keeps none: like for like.
        tool = Server.opes(
            ["--service", "tool", "--workers", "2", "--threads", "1", "--no-access-log"],
            env,
            port,
        )
        baseline_env = {
            "BENCH_PLATFORM": json.dumps(
                {
                    "issuer": issuer,
                    "client_id": "bench-client",
                    "auth_login_url": spec.auth_login_url,
                    "auth_token_url": spec.auth_token_url,
                    "key_set_url": spec.key_set_url,
                    "deployment_ids": ["1"],
                }
            )
        }
        try:
            baseline_server = Server(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "-w",
                    "2",
                    "-b",
                    "127.0.0.1:5394",
                    "bench.baseline_tool:app",
                ],
                baseline_env,
                5394,
                ready_path="/",
            )
        except Exception:
            tool.stop()
            raise
        # Rounds alternate between the two tools, so a slower minute on a shared machine
        # weighs on both sides of the ratio; the medians of the rounds are reported.
        try:
            rounds = [
                (run_load(tool, load, scratch), run_load(baseline_server, load, scratch))
                for _ in range(args.rounds)
            ]
            rss = [w.memory_info().rss / 2**20 for w in tool.workers()]
        finally:
            tool.stop()
            baseline_server.stop()
    jwks_server.shutdown()
    ours = {k: statistics.median(r[0][k] for r in rounds) for k in rounds[0][0]}
    base = {k: statistics.median(r[1][k] for r in rounds) for k in rounds[0][1]}
    ratios = [r[0]["server_cpu_ms_per_launch"] / r[1]["server_cpu_ms_per_launch"] for r in rounds]
    results = {
        "opes": ours,
        "baseline": base,
        "rounds": [{"opes": o, "baseline": b} for o, b in rounds],
        "cpu_ratio_per_round": ratios,
        "worker_rss_mib": rss,
        "launches": args.launches,
        "concurrency": args.concurrency,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"lti-launch-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    out.write_text(json.dumps(results, indent=2))
    print(
        f"Full LTI launches (login + launch), gunicorn 2 workers, "
        f"{args.concurrency} clients in a second process, {args.launches} launches, "
        f"median of {args.rounds} alternating rounds\n"
    )
    print(f"{'':32}{'launches/s':>11}{'p50 ms':>9}{'p95 ms':>9}{'srv CPU/launch':>16}")
    for label, r in (("OPES tool (PostgreSQL + Redis)", ours), ("baseline: bare pylti1p3", base)):
        print(
            f"{label:32}{r['launches_per_s']:>11.0f}{r['p50_ms']:>9.1f}{r['p95_ms']:>9.1f}"
            f"{r['server_cpu_ms_per_launch']:>13.2f} ms"
        )
    ratio = statistics.median(ratios)
    print(
        f"\ncost per launch: {ratio:.2f}x the baseline's (median of rounds "
        + ", ".join(f"{r:.2f}" for r in ratios)
        + "; target <= 1.5): "
        + ("met" if ratio <= 1.5 else "NOT met")
    )
    print(
        f"p95 launch latency {ours['p95_ms']:.1f} ms (target < 50): "
        + ("met" if ours["p95_ms"] < 50 else "NOT met")
    )
    print("worker RSS: " + ", ".join(f"{m:.0f} MiB" for m in rss))
    print(f"\nraw figures: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
