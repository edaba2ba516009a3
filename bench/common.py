"""Shared bench plumbing: a throwaway PostgreSQL database, a served app, server CPU time."""

from __future__ import annotations

import json
import os
import signal
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import psutil
import requests
import sqlalchemy as sa

from opes_lti.core import migrate
from tests.support.databases import postgres_database

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PG_ADMIN = os.environ.get(
    "OPES_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def scratch_postgres() -> AbstractContextManager[str]:
    """A migrated database of its own, dropped at the end (the tests' own helper)."""
    return postgres_database()


class Server:
    """A served app (gunicorn, in its own process group), its processes' CPU measurable."""

    def __init__(
        self, command: list[str], env: dict[str, str], port: int, ready_path: str = "/healthz"
    ) -> None:
        self.url = f"http://127.0.0.1:{port}"
        self.proc = subprocess.Popen(
            command,
            env=os.environ | env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if requests.get(self.url + ready_path, timeout=1).status_code < 500:
                    return
            except requests.RequestException:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{command[2:4]} did not start")

    @classmethod
    def opes(cls, args: list[str], env: dict[str, str], port: int) -> Server:
        """``opes-lti serve`` with ``args``."""
        return cls(
            [sys.executable, "-m", "opes_lti", "serve", "--port", str(port), *args], env, port
        )

    def processes(self) -> list[psutil.Process]:
        """The master and its workers."""
        master = psutil.Process(self.proc.pid)
        return [master, *master.children(recursive=True)]

    def workers(self) -> list[psutil.Process]:
        """The worker processes."""
        return psutil.Process(self.proc.pid).children(recursive=True)

    def cpu_seconds(self) -> float:
        """User + system CPU of every server process so far."""
        total = 0.0
        for process in self.processes():
            times = process.cpu_times()
            total += times.user + times.system
        return total

    def stop(self) -> None:
        """Stop the whole process group."""
        os.killpg(self.proc.pid, signal.SIGTERM)
        self.proc.wait(timeout=20)


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (inclusive method)."""
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]


def drive(
    url: str, token: str, bodies: list[bytes], concurrency: int, scratch: Path
) -> dict[str, object]:
    """Run the load generator in a second process and return its report."""
    return Load(url, token, bodies, concurrency, scratch).result()


class Load:
    """The load generator running in a second process, optionally paced to ``rate``/s."""

    def __init__(
        self,
        url: str,
        token: str,
        bodies: list[bytes],
        concurrency: int,
        scratch: Path,
        rate: float = 0.0,
    ) -> None:
        self.path = scratch / f"bodies-{uuid.uuid4().hex[:6]}.jsonl"
        self.path.write_bytes(b"\n".join(bodies) + b"\n")
        script = str(ROOT / "bench" / "loadgen.py")
        command = [sys.executable, script, url, token, str(self.path), str(concurrency)]
        self.proc = subprocess.Popen(
            [*command, str(rate)] if rate else command, stdout=subprocess.PIPE, text=True
        )

    def running(self) -> bool:
        """Whether it is still sending."""
        return self.proc.poll() is None

    def result(self) -> dict[str, object]:
        """Its report, once it has sent everything."""
        out, _ = self.proc.communicate()
        self.path.unlink()
        if self.proc.returncode:
            raise RuntimeError(f"the load generator failed ({self.proc.returncode})")
        return json.loads(out)


@contextmanager
def kept_postgres(name: str) -> Iterator[str]:
    """A database of that name, created and migrated when missing, kept afterwards.

    A 10 M-event load takes an hour on this VM: keeping it lets the pages be measured
    again, on a quiet machine, without loading again.
    """
    admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.scalar(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
            )
            if not exists:
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    url = sa.make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False)
    migrate.upgrade(url)
    yield url


#: The platform the one-request-at-a-time benches sign their page tokens for.
BENCH_ISSUER = "https://lms.bench.example"
LEARNER_ROLE = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"


def bench_platform(db: Any) -> int:
    """Register the bench's platform in ``db``; its id."""
    from opes_lti.lti.registrations import PlatformSpec, add_platform

    return add_platform(
        db,
        PlatformSpec(
            name="bench",
            issuer=BENCH_ISSUER,
            client_id="c",
            auth_login_url=BENCH_ISSUER + "/auth",
            auth_token_url=BENCH_ISSUER + "/token",
            key_set_url=BENCH_ISSUER + "/jwks",
            deployment_ids=("1",),
        ),
    ).id


def single_worker_tool(url: str, instance: str, port: int) -> Server:
    """The tool under gunicorn with one worker and one thread: each call's own cost."""
    env = {
        "OPES_DATABASE_URL": url,
        "OPES_INSTANCE_PATH": instance,
        "OPES_SECRET_KEY": "bench",
        "OPES_BASE_URL": f"http://127.0.0.1:{port}",
    }
    return Server.opes(
        ["--service", "tool", "--workers", "1", "--threads", "1", "--no-access-log"], env, port
    )


def page_token(
    platform_id: int, user: str, link: str, custom: dict[str, str], role: str = LEARNER_ROLE
) -> str:
    """A page token as a launch of ``link`` issues it (the tool's secret is "bench")."""
    from opes_lti.lti.launch import CLAIM
    from opes_lti.lti.sessions import PageSessions

    claims = {
        "iss": BENCH_ISSUER,
        "aud": "c",
        "sub": user,
        CLAIM + "message_type": "LtiResourceLinkRequest",
        CLAIM + "deployment_id": "1",
        CLAIM + "roles": [role],
        CLAIM + "context": {"id": "course-1"},
        CLAIM + "resource_link": {"id": link, "title": "Bench"},
        CLAIM + "custom": custom,
    }
    return PageSessions("bench").sign(
        {"platform": platform_id, "claims": claims, "user": user, "locale": "it", "roles": [role]}
    )
