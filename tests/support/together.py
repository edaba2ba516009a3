"""Run calls at the same moment, for tests of what two requests at once must not break."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any


def at_once(call: Callable[..., Any], args: Sequence[tuple[Any, ...]]) -> list[Any]:
    """``call(*a)`` for each ``a``, released together; each result or exception, in order."""
    barrier = threading.Barrier(len(args))
    outcomes: list[Any] = [None] * len(args)

    def run(index: int) -> None:
        barrier.wait()
        try:
            outcomes[index] = call(*args[index])
        except BaseException as exc:  # the test judges it
            outcomes[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(args))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes
