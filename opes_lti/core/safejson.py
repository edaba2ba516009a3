"""JSON from outside, parsed only once its nesting is known to be sane.

Python's parser recurses once per level: a body of ten thousand ``[`` is a
RecursionError (a 500, a traceback in the log) after building the objects above it.
Events, frameworks and their metadata nest a handful of levels; :func:`loads` refuses
anything deeper before parsing.
"""

from __future__ import annotations

import json
import re
from typing import Any

#: Far above any document the tool reads (an event nests four levels, a framework five).
MAX_DEPTH = 32
_STRINGS = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_PAIR = re.compile(rb"\[\]|\{\}")


class JsonError(ValueError):
    """Not JSON the tool reads, with a reason a person can act on."""


def too_deep(raw: bytes) -> bool:
    """Whether ``raw`` nests deeper than :data:`MAX_DEPTH`.

    Every step runs in C (a Python loop over 8 MB of brackets took seconds): strings
    and everything but brackets are dropped, then the innermost pairs are removed, one
    level per round, for at most one round more than :data:`MAX_DEPTH`.
    """
    if raw.count(b"[") + raw.count(b"{") <= MAX_DEPTH:
        return False  # cannot nest deeper than its number of brackets
    skeleton = _STRINGS.sub(b"", raw).translate(None, _NOT_BRACKETS)
    for _level in range(MAX_DEPTH):
        skeleton, removed = _PAIR.subn(b"", skeleton)
        if not skeleton:
            return False
        if not removed:  # unbalanced, so not JSON: refused either way, before parsing
            return len(skeleton) > MAX_DEPTH
    return bool(_PAIR.search(skeleton))  # a pair still there sits below MAX_DEPTH levels


def loads(raw: bytes | str) -> Any:
    """Parse ``raw``; :class:`JsonError` when it is not JSON or nests too deep."""
    data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
    if too_deep(data):
        raise JsonError(f"it nests deeper than {MAX_DEPTH} levels")
    try:
        return json.loads(data)
    except UnicodeDecodeError:
        raise JsonError("it is not UTF-8 text") from None
    except ValueError as exc:
        raise JsonError(str(exc)) from None
    except RecursionError:  # cannot happen after the depth check; never a 500 if it did
        raise JsonError(f"it nests deeper than {MAX_DEPTH} levels") from None
