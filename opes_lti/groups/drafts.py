"""A group's shared draft: versions, saves that never overwrite unseen work, and diffs (pure).

Every save names the version it was based on. A save based on the latest becomes the next
version; one based on an older version is refused as a conflict carrying both texts, so
the learner merges by hand and nothing is lost silently (no live co-editing is needed).
Saving the same text again changes nothing.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

#: A draft's largest text, in characters: beyond it the save is refused, not cut.
MOST_CHARACTERS = 200_000


@dataclass(frozen=True)
class Version:
    """One saved state of the draft: its number (from 1), text, author and time."""

    number: int
    text: str
    author: str
    at: datetime


@dataclass(frozen=True)
class Saved:
    """The save became ``version`` (or, the same text again, left the draft as it was)."""

    version: Version
    changed: bool


@dataclass(frozen=True)
class Conflict:
    """Someone saved since the version the save was based on: both texts, to merge."""

    theirs: Version
    mine: str


class DraftError(ValueError):
    """A save that cannot be taken: ``what`` says why."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


def save(
    latest: Version | None, based_on: int, text: str, author: str, at: datetime
) -> Saved | Conflict:
    """The outcome of saving ``text`` on top of version ``based_on`` (0: a first save)."""
    if len(text) > MOST_CHARACTERS:
        raise DraftError("too_long")
    current = latest.number if latest else 0
    if based_on > current or based_on < 0:
        raise DraftError("no_such_version")
    if latest is not None and based_on < current:
        if latest.text == text:  # the same text reached by both: nothing to merge
            return Saved(latest, changed=False)
        return Conflict(latest, text)
    if latest is not None and latest.text == text:
        return Saved(latest, changed=False)
    return Saved(Version(current + 1, text, author, at), changed=True)


Change = tuple[Literal["same", "added", "removed"], str]


def diff(before: str, after: str) -> list[Change]:
    """What changed from ``before`` to ``after``, line by line, for a page to show."""
    out: list[Change] = []
    for line in difflib.ndiff(before.splitlines(), after.splitlines()):
        mark, text = line[:2], line[2:]
        if mark == "  ":
            out.append(("same", text))
        elif mark == "+ ":
            out.append(("added", text))
        elif mark == "- ":
            out.append(("removed", text))
    return out
