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
