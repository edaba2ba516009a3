"""``opes-lti serve``: starting the service."""

from __future__ import annotations

import socket
from collections.abc import Callable

from click.testing import Result


def test_cli_serve_on_a_taken_port_says_so_in_one_line(run: Callable[..., Result]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run("serve", "--port", str(port))
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert f"port {port} is taken" in lines[0]
    assert "./scripts/run --port N" in lines[0]
