"""The frameworks a self-assessment block may ask: shipped, uploaded, or from the tool."""

from __future__ import annotations

import hashlib
import logging

from opes_lti.competencies import builtin, case
from opes_lti.competencies.framework import CODE, Framework
from opes_xblocks.toolclient import ToolClient, ToolUnavailable

log = logging.getLogger(__name__)
#: The ``framework`` field's value for the file kept in ``framework_file``.
UPLOADED = "uploaded"
#: Studio's value for a framework taken from the tool service: "tool:<id>".
FROM_TOOL = "tool:"
CACHE_SIZE = 256
#: Parsed uploaded frameworks by the SHA-256 of their file: parsing was most of a render.
_PARSED: dict[str, Framework] = {}


def remember[K, V](cache: dict[K, V], key: K, value: V) -> V:
    """Keep ``value`` under ``key``, dropping the oldest entry once the cache is full."""
    if len(cache) >= CACHE_SIZE:
        cache.pop(next(iter(cache)))
    cache[key] = value
    return value


def load(name: str, file_text: str) -> Framework:
    """The framework a block's fields name; KeyError or FrameworkError when it has none."""
    if name != UPLOADED:
        return builtin.load(name)
    key = fingerprint(file_text)
    found = _PARSED.get(key)
    return found if found is not None else remember(_PARSED, key, case.loads(file_text))


def fingerprint(file_text: str) -> str:
    """A short stable key for an uploaded framework file."""
    return hashlib.sha256(file_text.encode()).hexdigest()


def offered_by_tool(tool: ToolClient | None) -> tuple[list[dict[str, str]], bool]:
    """Frameworks added to the OPES tool, and whether a configured tool was unreachable."""
    if tool is None:
        return [], False
    try:
        items = tool.get("/api/v1/blocks/frameworks")["frameworks"]
    except (ToolUnavailable, KeyError, TypeError) as exc:
        log.warning("OPES tool frameworks not listed: %s", exc)
        return [], True
    return [
        {"id": str(i["id"]), "title": str(i.get("title") or i["id"])}
        for i in items
        if isinstance(i, dict) and not i.get("shipped") and CODE.match(str(i.get("id")))
    ], False


def fetch_from_tool(tool: ToolClient | None, framework_id: str) -> str:
    """The CASE file of a framework added to the tool; ValueError says why not.

    The block keeps a copy, so the course and its OLX export do not depend on the tool
    staying reachable.
    """
    if tool is None or not CODE.match(framework_id):
        raise ValueError(f"framework: the OPES tool does not offer {framework_id!r}")
    try:
        return tool.text(f"/api/v1/blocks/frameworks/{framework_id}")
    except ToolUnavailable as exc:
        raise ValueError(f"framework: {exc}") from None
