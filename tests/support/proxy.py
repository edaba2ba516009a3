"""A loopback TCP proxy that can stop answering, to make a network call time out."""

from __future__ import annotations

import socket
import threading
from contextlib import suppress


class BlackholeProxy:
    """Forwards connections to ``target_port``; while ``blackhole`` is set, it accepts
    connections and never answers them (the caller's read times out)."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.blackhole = threading.Event()
        self._stop = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        self.held = 0
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        """Base URL to give the client."""
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        """Stop accepting; open connections end with their pipes."""
        self._stop.set()
        self._thread.join(timeout=5)
        self._listener.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            if self.blackhole.is_set():
                self.held += 1
                threading.Thread(target=self._hold, args=(client,), daemon=True).start()
            else:
                threading.Thread(target=self._forward, args=(client,), daemon=True).start()

    def _hold(self, client: socket.socket) -> None:
        # Swallow the request and say nothing until the blackhole lifts.
        client.settimeout(0.2)
        while self.blackhole.is_set() and not self._stop.is_set():
            with suppress(TimeoutError, OSError):
                if not client.recv(65536):
                    break
        client.close()

    def _forward(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
        except OSError:
            client.close()  # the service is down: the caller sees the connection drop
            return
        upstream.settimeout(None)
        pipes = [
            threading.Thread(target=self._pipe, args=(client, upstream, True), daemon=True),
            threading.Thread(target=self._pipe, args=(upstream, client, False), daemon=True),
        ]
        for pipe in pipes:
            pipe.start()

    def _pipe(self, source: socket.socket, sink: socket.socket, request: bool) -> None:
        swallowing = False
        try:
            while data := source.recv(65536):
                # A kept-alive connection goes dark too: its requests are swallowed.
                if request and self.blackhole.is_set():
                    if not swallowing:
                        self.held += 1
                        swallowing = True
                    continue
                sink.sendall(data)
        except OSError:
            pass
        finally:
            with suppress(OSError):
                sink.shutdown(socket.SHUT_WR)
            with suppress(OSError):
                source.close()
