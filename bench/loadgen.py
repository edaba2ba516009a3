"""Load generator, run as its own process: posts prepared bodies and reports latencies.

Usage: python bench/loadgen.py URL TOKEN BODIES.jsonl CONCURRENCY [RATE]
Each line of BODIES.jsonl is one request body. With RATE, requests start at that many per
second at most (an offered load), else as fast as the server answers. Prints one JSON
object with the wall time and every request's latency in milliseconds.
"""

from __future__ import annotations

import json
import queue
import sys
import threading
import time
from http.client import HTTPConnection
from urllib.parse import urlsplit


def main() -> None:
    url, token, path, concurrency = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    rate = float(sys.argv[5]) if len(sys.argv) > 5 else 0.0
    with open(path, "rb") as handle:
        bodies = [line.rstrip(b"\n") for line in handle]
    work: queue.SimpleQueue[tuple[int, bytes] | None] = queue.SimpleQueue()
    for number, body in enumerate(bodies):
        work.put((number, body))
    for _ in range(concurrency):
        work.put(None)
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    target = urlsplit(url)

    def client() -> None:
        # http.client rather than requests: on 2 cores every microsecond the load generator
        # spends is taken from the server it measures.
        connection = HTTPConnection(target.hostname, target.port, timeout=60)
        mine: list[float] = []
        while (item := work.get()) is not None:
            number, body = item
            if rate:
                # Paced from the run's start, so a slow answer is not made up by a burst.
                time.sleep(max(0.0, begun + number / rate - time.perf_counter()))
            started = time.perf_counter()
            connection.request("POST", target.path, body=body, headers=headers)
            response = connection.getresponse()
            answer = response.read()
            mine.append((time.perf_counter() - started) * 1000)
            if response.status not in (200, 201):
                with lock:
                    errors.append(f"{response.status} {answer[:200]!r}")
        connection.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    begun = started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    print(
        json.dumps(
            {
                "wall": wall,
                "latencies_ms": latencies,
                "errors": errors[:5],
                "error_count": len(errors),
            }
        )
    )


if __name__ == "__main__":
    main()
