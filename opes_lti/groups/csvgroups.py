"""Groups an instructor made in a spreadsheet: one row per learner and group (pure).

Columns ``learner,group`` (or ``persona,gruppo``), separated by commas or by semicolons
(what an Italian spreadsheet saves). Nothing is applied while a row is wrong: every
problem comes back with its line, for the instructor to fix and send again.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from opes_lti.groups.formation import Bounds

HEADERS = {("learner", "group"), ("persona", "gruppo")}
Problem_ = Literal[
    "header", "unreadable", "columns", "unknown_learner", "twice", "no_group", "size"
]


@dataclass(frozen=True)
class Problem:
    """What is wrong on ``line`` (from 1, the header's), and the value concerned."""

    line: int
    what: Problem_
    value: str = ""


@dataclass
class Imported:
    """The groups read, by name in the order met, and the problems found."""

    groups: dict[str, list[str]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def usable(self) -> bool:
        """Whether the groups can be applied (sizes outside the bounds are only warned of)."""
        return not any(p.what != "size" for p in self.problems)


def read(text: str, roster: Iterable[str], bounds: Bounds) -> Imported:
    """The groups in ``text``, checked against the course's ``roster``."""
    known = set(roster)
    lines = text.lstrip("\ufeff").splitlines()
    found = Imported()
    if not lines:
        found.problems.append(Problem(1, "header"))
        return found
    delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
    rows = csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter)
    header = tuple(cell.strip().lower() for cell in next(rows, []))
    if header not in HEADERS:
        found.problems.append(Problem(1, "header", delimiter.join(header)[:80]))
        return found
    placed: dict[str, int] = {}
    try:
        listed = list(enumerate(rows, start=2))
    except csv.Error as exc:  # a field past csv's size limit, a quote left open...
        found.problems.append(Problem(rows.line_num, "unreadable", str(exc)[:80]))
        return found
    for line, row in listed:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != 2:
            found.problems.append(Problem(line, "columns", str(len(row))))
            continue
        learner, group = row[0].strip(), row[1].strip()
        if learner not in known:
            found.problems.append(Problem(line, "unknown_learner", learner[:80]))
        elif learner in placed:
            found.problems.append(Problem(line, "twice", learner[:80]))
        elif not group:
            found.problems.append(Problem(line, "no_group", learner[:80]))
        else:
            placed[learner] = line
            found.groups.setdefault(group, []).append(learner)
    for name, members in found.groups.items():
        if not bounds.fits(len(members)):
            found.problems.append(Problem(placed[members[0]], "size", name[:80]))
    return found
