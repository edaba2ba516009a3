"""Launch load generator, its own process: N full launches (login, then launch) at once.

Usage: python bench/launch_loadgen.py CONFIG.json
CONFIG: tool (base URL), issuer, client_id, deployment_id, pem, kid, launches, concurrency.
Each launch: GET /lti/login, read state and nonce from the redirect, mint the id_token as
the platform would (RS256), POST it with the state cookie. Prints the latencies as JSON.
"""

from __future__ import annotations

import json
import queue
import sys
import threading
import time
import uuid
from http.client import HTTPConnection
from urllib.parse import parse_qsl, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives import serialization

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as handle:
        config = json.load(handle)
    # Parse the key once: loading a PEM costs more than signing with it.
    key = serialization.load_pem_private_key(config["pem"].encode(), password=None)
    tool = urlsplit(config["tool"])
    launch_url = config["tool"] + "/lti/launch"
    work: queue.SimpleQueue[int | None] = queue.SimpleQueue()
    for n in range(config["launches"]):
        work.put(n)
    for _ in range(config["concurrency"]):
        work.put(None)
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def client() -> None:
        connection = HTTPConnection(tool.hostname, tool.port, timeout=60)
        mine: list[float] = []
        while (n := work.get()) is not None:
            started = time.perf_counter()
            query = urlencode(
                {
                    "iss": config["issuer"],
                    "client_id": config["client_id"],
                    "login_hint": f"user-{n}",
                    "target_link_uri": launch_url,
                    "lti_deployment_id": config["deployment_id"],
                }
            )
            connection.request("GET", "/lti/login?" + query)
            login = connection.getresponse()
            login.read()
            if login.status != 302:
                with lock:
                    errors.append(f"login {login.status}")
                continue
            params = dict(parse_qsl(urlsplit(login.getheader("Location")).query))
            cookies = "; ".join(c.split(";", 1)[0] for c in login.headers.get_all("Set-Cookie"))
            now = int(time.time())
            token = jwt.encode(
                {
                    "iss": config["issuer"],
                    "aud": config["client_id"],
                    "sub": f"user-{n % 500}",
                    "iat": now,
                    "exp": now + 300,
                    "nonce": params["nonce"],
                    CLAIM + "message_type": "LtiResourceLinkRequest",
                    CLAIM + "version": "1.3.0",
                    CLAIM + "deployment_id": config["deployment_id"],
                    CLAIM + "target_link_uri": launch_url,
                    CLAIM + "resource_link": {"id": "rl-1"},
                    CLAIM + "roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"],
                    CLAIM + "context": {"id": "course-1", "title": "Progettazione"},
                    CLAIM + "custom": {"activity": "placeholder"},
                    "jti": uuid.uuid4().hex,
                },
                key,
                algorithm="RS256",
                headers={"kid": config["kid"]},
            )
            body = urlencode({"id_token": token, "state": params["state"]})
            connection.request(
                "POST",
                "/lti/launch",
                body=body,
                headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookies},
            )
            launch = connection.getresponse()
            text = launch.read()
            mine.append((time.perf_counter() - started) * 1000)
            if launch.status != 200:
                with lock:
                    errors.append(f"launch {launch.status} {text[-300:]!r}")
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(config["concurrency"])]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(
        json.dumps(
            {
                "wall": time.perf_counter() - started,
                "latencies_ms": latencies,
                "errors": errors[:5],
                "error_count": len(errors),
            }
        )
    )


if __name__ == "__main__":
    main()
