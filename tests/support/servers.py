"""Serve a WSGI app on loopback from a thread, for tests that need real HTTP."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from werkzeug.serving import make_server


@contextmanager
def serve_wsgi(app: Callable[..., Any]) -> Iterator[str]:
    """Yield the base URL of a threaded server running ``app``; stop it afterwards."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    # A short poll interval: shutdown waits for it, and tests start and stop many servers.
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


class Trap:
    """A loopback listener that counts every connection made to it, and answers none."""

    def __init__(self) -> None:
        import socket

        self.connections = 0
        self._socket = socket.create_server(("127.0.0.1", 0))
        self._socket.settimeout(0.05)
        self.port = self._socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._count, daemon=True)
        self._thread.start()

    def _count(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._socket.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            connection.close()

    def close(self) -> None:
        """Stop listening."""
        self._stop.set()
        self._thread.join(timeout=10)
        self._socket.close()


@contextmanager
def trap() -> Iterator[Trap]:
    """A :class:`Trap` for the block's duration."""
    listener = Trap()
    try:
        yield listener
    finally:
        listener.close()
