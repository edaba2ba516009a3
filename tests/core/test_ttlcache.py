"""The per-process expiring cache."""

from __future__ import annotations

import time

from opes_lti.core.ttlcache import TtlCache


def test_ttlcache_keeps_values_until_they_expire() -> None:
    cache: TtlCache[str] = TtlCache(0.2)
    assert cache.put("k", "v") == "v"
    assert cache.get("k") == "v"
    assert cache.get("other") is None
    time.sleep(0.25)
    assert cache.get("k") is None


def test_ttlcache_clear_forgets_everything() -> None:
    cache: TtlCache[int] = TtlCache(60)
    cache.put(("a", 1), 1)
    cache.clear()
    assert cache.get(("a", 1)) is None
