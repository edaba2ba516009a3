"""The self-assessment with a 30-competence framework: XBlock render and submit, LTI pages.

    bench/run selfassessment [--calls 300]

XBlock (in xblock-sdk's workbench runtime, in this process): ``student_view`` render and
the ``submit`` handler, in ms per call, beside xblock-sdk's own "thumbs" sample block
(render and its ``vote`` handler) measured in the same run. Targets: render under 10 ms.

LTI (the tool under gunicorn, 1 sync worker, PostgreSQL, one client in a second thread
sending one request at a time): a questionnaire screen posted and the next one drawn (an
area of 5 competences x 5 levels), an answer saved by the page's script, and the result
page; beside ``/healthz`` (one database round trip through the same stack). Target:
under 30 ms per page including the database. Server CPU per request is reported too.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import requests

from bench.common import (
    RESULTS,
    ROOT,
    bench_platform,
    page_token,
    percentile,
    scratch_postgres,
    single_worker_tool,
)
from opes_lti.competencies import builtin, case
from opes_lti.competencies.framework import Area, Framework, Text
from opes_lti.core.db import Database
from opes_lti.framework_library import services as library


def thirty() -> Framework:
    """Six areas of five competences, texts as long as the shipped framework's."""
    source = [c for _, c in builtin.load(builtin.DEFAULT).competencies()]
    areas = []
    for a in range(6):
        competencies = tuple(
            dataclasses.replace(source[(a * 5 + i) % len(source)], code=f"B{a}.{i}")
            for i in range(5)
        )
        areas.append(Area(f"B{a}", Text(f"Area {a}", f"Area {a}"), competencies))
    base = builtin.load(builtin.DEFAULT)
    return dataclasses.replace(base, id="bench-30", version="1", areas=tuple(areas))


def timed(call: Callable[[], Any], n: int) -> dict[str, float]:
    """Wall and CPU milliseconds per call, median of the calls and their p95."""
    wall: list[float] = []
    cpu0 = time.process_time()
    for _ in range(n):
        started = time.perf_counter()
        call()
        wall.append((time.perf_counter() - started) * 1000)
    return {
        "p50_ms": statistics.median(wall),
        "p95_ms": percentile(wall, 95),
        "cpu_ms_per_call": (time.process_time() - cpu0) * 1000 / n,
    }


def xblock_figures(framework: Framework, calls: int) -> dict[str, dict[str, float]]:
    """Render and submit, ours against the SDK's thumbs block, in the workbench runtime."""
    import uuid

    import webob

    from tests.support import djangoconf

    djangoconf.setup()
    from workbench.runtime import WorkbenchRuntime

    package = case.dumps(framework).replace("&", "&amp;").replace('"', "&quot;")
    package = package.replace("<", "&lt;").replace("\n", "&#10;")
    xml = f'<opes_selfassessment framework="uploaded" framework_file="{package}" display="area"/>'

    def fresh(kind: str) -> tuple[Any, Any]:
        runtime = WorkbenchRuntime(f"bench-{uuid.uuid4().hex[:10]}")
        runtime.publish = lambda *args: None
        source = xml if kind == "ours" else "<thumbs/>"
        return runtime, runtime.get_block(runtime.parse_xml_string(source))

    runtime, block = fresh("ours")
    thumbs_runtime, thumbs = fresh("thumbs")
    codes = [c.code for _, c in framework.competencies()]
    block.answers = dict.fromkeys(codes, 3)
    block.profile = {"set": True, "role": "manager", "organisation": None, "region": "16"}
    block.save()
    runtime.render(block, "student_view")  # warm the caches a server would have warm
    thumbs_runtime.render(thumbs, "student_view")
    figures = {
        "xblock_render": timed(lambda: runtime.render(block, "student_view"), calls),
        # The block's own share, without the runtime's wrapping and aside lookups.
        "xblock_student_view_only": timed(lambda: block.student_view({}), calls),
        "baseline_thumbs_render": timed(
            lambda: thumbs_runtime.render(thumbs, "student_view"), calls
        ),
    }

    # Each submit needs a learner who has not submitted yet: prepared outside the timing.
    learners = []
    for _ in range(calls):
        r, b = fresh("ours")
        b.answers = dict.fromkeys(codes, 3)
        b.profile = {"set": True, "role": "manager", "organisation": None, "region": "16"}
        b.save()
        learners.append((r, b))
    pending = iter(learners)

    def submit() -> None:
        r, b = next(pending)
        request = webob.Request.blank("/", method="POST", body=b"{}")
        response = r.handle(b, "submit", request)
        assert response.status_code == 200, response.body[:300]

    figures["xblock_submit"] = timed(submit, calls)

    def vote() -> None:
        request = webob.Request.blank("/", method="POST", body=b'{"voteType": "up"}')
        thumbs_runtime.handle(thumbs, "vote", request)

    figures["baseline_thumbs_vote"] = timed(vote, calls)
    return figures


def lti_figures(framework: Framework, calls: int) -> dict[str, dict[str, float]]:
    """Questionnaire pages served by the tool, against /healthz, one request at a time."""
    with scratch_postgres() as url, tempfile.TemporaryDirectory() as tmp:
        database = Database(url)
        with database.transaction() as db:
            platform_id = bench_platform(db)
            library.add(db, framework)
        database.dispose()
        server = single_worker_tool(url, tmp, 5396)
        http = requests.Session()

        def token(user: str) -> str:
            custom = {"activity": "selfassessment", "framework": framework.id, "display": "area"}
            return page_token(platform_id, user, "rl-1", custom)

        def ok(response: requests.Response) -> None:
            if response.status_code != 200:
                raise RuntimeError(f"{response.status_code}: {response.text[-300:]}")

        try:
            learner = token("learner-1")
            ok(
                http.post(
                    server.url + "/selfassessment/profile",
                    data={"token": learner, "action": "skip"},
                    timeout=10,
                )
            )
            area = [c.code for c in framework.areas[0].competencies]
            screen = {"token": learner, "screen": "0", "nav": "next"} | {
                f"level-{code}": "3" for code in area
            }
            figures: dict[str, dict[str, float]] = {}
            for name, call in (
                ("lti_healthz_baseline", lambda: ok(http.get(server.url + "/healthz", timeout=10))),
                (
                    "lti_screen",
                    lambda: ok(
                        http.post(server.url + "/selfassessment/screen", data=screen, timeout=10)
                    ),
                ),
                (
                    "lti_save_answer",
                    lambda: ok(
                        http.post(
                            server.url + "/selfassessment/save",
                            json={"token": learner, "answers": {area[0]: 4}},
                            timeout=10,
                        )
                    ),
                ),
            ):
                call()
                cpu0 = server.cpu_seconds()
                figures[name] = timed(call, calls)
                figures[name]["server_cpu_ms_per_call"] = (
                    (server.cpu_seconds() - cpu0) * 1000 / calls
                )
            # The result page: a learner who submitted, launching again.
            done = token("learner-2")
            everything = {f"level-{c.code}": "3" for _, c in framework.competencies()}
            ok(
                http.post(
                    server.url + "/selfassessment/profile",
                    data={"token": done, "action": "skip"},
                    timeout=10,
                )
            )
            ok(
                http.post(
                    server.url + "/selfassessment/save",
                    timeout=10,
                    json={"token": done, "answers": {k[6:]: 3 for k in everything}},
                )
            )
            last = str(len(framework.areas) - 1)
            ok(
                http.post(
                    server.url + "/selfassessment/screen",
                    timeout=10,
                    data={"token": done, "screen": last, "nav": "submit"},
                )
            )

            def result_call() -> None:
                ok(
                    http.post(
                        server.url + "/selfassessment/profile",
                        timeout=10,
                        data={"token": done, "action": "save", "role": "manager"},
                    )
                )

            result_call()
            cpu0 = server.cpu_seconds()
            figures["lti_result_page"] = timed(result_call, calls)
            figures["lti_result_page"]["server_cpu_ms_per_call"] = (
                (server.cpu_seconds() - cpu0) * 1000 / calls
            )
        finally:
            server.stop()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300)
    args = parser.parse_args()
    framework = thirty()
    assert sum(1 for _ in framework.competencies()) == 30
    figures = xblock_figures(framework, args.calls) | lti_figures(framework, args.calls)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"selfassessment-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    out.write_text(json.dumps({"calls": args.calls, "figures": figures}, indent=2))
    print(f"Self-assessment, 30 competences (6 areas x 5, 5 levels), {args.calls} calls each\n")
    print(f"{'':40}{'p50 ms':>9}{'p95 ms':>9}{'CPU ms/call':>13}{'server CPU':>12}")
    for name, row in figures.items():
        server = row.get("server_cpu_ms_per_call")
        print(
            f"{name:40}{row['p50_ms']:>9.2f}{row['p95_ms']:>9.2f}{row['cpu_ms_per_call']:>13.2f}"
            + (f"{server:>9.2f} ms" if server is not None else "")
        )
    render = figures["xblock_render"]["p50_ms"]
    ratio = render / figures["baseline_thumbs_render"]["p50_ms"]
    print(
        f"\nXBlock render {render:.2f} ms, {ratio:.1f}x the thumbs block's (target < 10 ms): "
        + ("met" if render < 10 else "NOT met")
    )
    pages = {
        k: v["p95_ms"] for k, v in figures.items() if k.startswith("lti_") and "baseline" not in k
    }
    worst = max(pages.values())
    floor = figures["lti_healthz_baseline"]["p50_ms"]
    print(
        f"LTI pages p95 at most {worst:.2f} ms, /healthz p50 {floor:.2f} ms (target < 30 ms): "
        + ("met" if worst < 30 else "NOT met")
    )
    print(f"\nraw figures: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
