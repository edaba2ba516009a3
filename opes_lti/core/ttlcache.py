"""A small per-process cache whose entries expire, for values that are cheap to lose.

Used only for speed (registrations found for a login, parsed platform keys, frame
origins): never for state that must be shared between workers.
"""

from __future__ import annotations

import time
from collections.abc import Hashable


class TtlCache[V]:
    """Values kept for ``ttl`` seconds after they were put."""

    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self._entries: dict[Hashable, tuple[float, V]] = {}

    def get(self, key: Hashable) -> V | None:
        """The value, if put less than ``ttl`` seconds ago."""
        entry = self._entries.get(key)
        if entry is None or entry[0] <= time.monotonic():
            return None
        return entry[1]

    def put(self, key: Hashable, value: V) -> V:
        """Keep ``value``; returns it."""
        self._entries[key] = (time.monotonic() + self.ttl, value)
        return value

    def clear(self) -> None:
        """Forget everything."""
        self._entries.clear()
