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


def decoded(raw: bytes) -> str:
    """A sheet's text: UTF-8 (with or without its mark), else what older spreadsheets save."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


@dataclass(frozen=True)
class Row:
    """One line of the sheet: the learner and group cells as written, trimmed."""

    line: int
    learner: str
    group: str


def rows(text: str) -> tuple[list[Row], list[Problem]]:
    """The sheet's rows of two cells, and the problems met reading it.

    A wrong header or an unreadable sheet gives no rows; a line with the wrong number of
    cells is a problem and no row.
    """
    lines = text.lstrip("\ufeff").splitlines()
    if not lines:
        return [], [Problem(1, "header")]
    delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
    reader = csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter)
    header = tuple(cell.strip().lower() for cell in next(reader, []))
    if header not in HEADERS:
        return [], [Problem(1, "header", delimiter.join(header)[:80])]
    try:
        listed = list(enumerate(reader, start=2))
    except csv.Error as exc:  # a field past csv's size limit, a quote left open...
        return [], [Problem(reader.line_num, "unreadable", str(exc)[:80])]
    found: list[Row] = []
    problems: list[Problem] = []
    for line, cells in listed:
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != 2:
            problems.append(Problem(line, "columns", str(len(cells))))
            continue
        found.append(Row(line, cells[0].strip(), cells[1].strip()))
    return found, problems


def learners(text: str) -> list[str]:
    """The learners the sheet names, once each, in order (to look them up before reading)."""
    return list(dict.fromkeys(row.learner for row in rows(text)[0] if row.learner))


def read(text: str, roster: Iterable[str], bounds: Bounds) -> Imported:
    """The groups in ``text``, checked against the course's ``roster``."""
    known = set(roster)
    listed, problems = rows(text)
    found = Imported(problems=problems)
    placed: dict[str, int] = {}
    for row in listed:
        learner, group = row.learner, row.group
        if learner not in known:
            found.problems.append(Problem(row.line, "unknown_learner", learner[:80]))
        elif learner in placed:
            found.problems.append(Problem(row.line, "twice", learner[:80]))
        elif not group:
            found.problems.append(Problem(row.line, "no_group", learner[:80]))
        else:
            placed[learner] = row.line
            found.groups.setdefault(group, []).append(learner)
    found.problems.sort(key=lambda p: p.line)  # as the instructor reads the sheet
    for name, members in found.groups.items():
        if not bounds.fits(len(members)):
            found.problems.append(Problem(placed[members[0]], "size", name[:80]))
    return found
