"""Do what the README's Quickstart says, on a fresh clone, and check that it serves.

Clones the repository's HEAD into a temporary folder, runs ``./scripts/run --port N`` there
on a free loopback port, waits (generously: the first run installs everything) until the
main page answers, checks it, then stops the run by its process id. Standard library only:
it runs before anything is installed in the clone.

Usage: python .ci/fresh_clone.py [REPOSITORY]   (default: the checkout this file is in)
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

#: The first run creates a venv and installs the server from the package index.
INSTALL_TIMEOUT = 900.0
#: The demo's events are delivered and counted in the background after the page answers.
NUMBERS_TIMEOUT = 180.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fetch(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback only
        return response.status, response.read().decode("utf-8", "replace")


def main() -> int:
    repository = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parents[1]).resolve()
    work = Path(tempfile.mkdtemp(prefix="opes-fresh-clone-"))
    clone = work / "opes"
    log_path = work / "run.log"
    subprocess.run(
        ["git", "clone", "--quiet", str(repository), str(clone)], check=True, timeout=300
    )
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPES_", "VIRTUAL_ENV"))}
    with log_path.open("wb") as log:
        run = subprocess.Popen(
            ["./scripts/run", "--port", str(port)],
            cwd=clone,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own group: stopping it stops gunicorn's workers
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + INSTALL_TIMEOUT
        while True:
            if run.poll() is not None:
                return fail(f"./scripts/run exited with status {run.returncode}", log_path)
            try:
                status, page = fetch(base + "/")
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                return fail(f"nothing answered on {base} in {INSTALL_TIMEOUT:.0f} s", log_path)
            time.sleep(0.5)
        output = log_path.read_text(errors="replace")
        problems = []
        if status != 200 or "OPES" not in page:
            problems.append(f"the main page answered {status} without 'OPES'")
        if f"{base}/" not in output:
            problems.append("the run command did not print the address to open")
        if f"demo course:      {base}/demo/" not in output:
            problems.append("the run command did not print the demo course's address")
        else:
            demo_status, demo_page = fetch(base + "/demo/")
            if demo_status != 200 or "Autovalutazione iniziale" not in demo_page:
                problems.append(f"the demo course answered {demo_status} without its activities")
        signed = re.search(r"dashboard: +(\S+)  \(sign in as (\S+), password (\S+)\)", output)
        if signed is None:
            problems.append("the run command did not print the dashboard and its sign-in")
        elif not dashboard_has_numbers(signed.group(1), signed.group(2), signed.group(3)):
            problems.append(f"the dashboard showed no figures within {NUMBERS_TIMEOUT:.0f} s")
        if problems:
            return fail("; ".join(problems), log_path)
        print(f"fresh clone: ./scripts/run served {base}/ (200) and a dashboard with figures")
        return 0
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGTERM)
            try:
                run.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(run.pid, signal.SIGKILL)
                run.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)


def dashboard_has_numbers(url: str, username: str, password: str) -> bool:
    """Sign in as the printed demo coordinator and wait for the gap table to have figures."""
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
    login = url.split("/dashboard/")[0] + "/login"
    page = browser.open(login, timeout=10).read().decode()
    token = re.search(r'name="csrf" value="([^"]+)"', page)
    if token is None:
        return False
    form = urllib.parse.urlencode(
        {"csrf": token.group(1), "username": username, "password": password}
    ).encode()
    browser.open(login, data=form, timeout=10)
    deadline = time.monotonic() + NUMBERS_TIMEOUT
    while time.monotonic() < deadline:
        gap = browser.open(url + "gap?framework=opes-progettazione", timeout=10)
        if re.search(r"<td>\d\.\d\d</td>", gap.read().decode()):  # a mean: a shown row
            return True
        time.sleep(1)
    return False


def fail(reason: str, log_path: Path) -> int:
    print(f"fresh clone FAILED: {reason}\n--- last lines of its output ---", file=sys.stderr)
    print(log_path.read_text(errors="replace")[-4000:], file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
