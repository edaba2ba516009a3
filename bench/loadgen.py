"""Load generator, run as its own process: posts prepared bodies and reports latencies.

Usage: python bench/loadgen.py URL TOKEN BODIES.jsonl CONCURRENCY
Each line of BODIES.jsonl is one request body. Prints one JSON object with the wall time
and every request's latency in milliseconds.
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
    with open(path, "rb") as handle:
        bodies = [line.rstrip(b"\n") for line in handle]
    work: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
    for body in bodies:
        work.put(body)
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
        while (body := work.get()) is not None:
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
    started = time.perf_counter()
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
