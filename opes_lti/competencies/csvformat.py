"""Frameworks as a spreadsheet: one row per competence, pure.

Columns (header row first; Italian Excel's ``;`` works as well as ``,``)::

    area, area_title_it, area_title_en, code, title_it, title_en,
    description_it, description_en, level_1_it, level_1_en, … level_N_it, level_N_en,
    target_manager, target_volunteer, target_staff

The number of ``level_N_it`` columns sets the scale. What a row cannot hold (the
framework's id, version, title, scope and level names) comes with the file as
:class:`Header`. Every error names the spreadsheet row (the header is row 1) and column.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from opes_lti.competencies.framework import (
    NO_TEXT,
    ROLES,
    Area,
    Competency,
    Framework,
    FrameworkError,
    Problem,
    Scope,
    Text,
    check,
)

_LEVEL = re.compile(r"^level_(\d+)_it$")
REQUIRED = ("area", "code", "title_it")


@dataclass(frozen=True)
class Header:
    """The framework-wide values a spreadsheet of competences does not carry."""

    id: str
    version: str
    title: Text
    scope: Scope
    levels: tuple[Text, ...]
    description: Text = NO_TEXT


def table(header: list[str], rows: list[list[object]]) -> str:
    """A report as CSV text (comma-separated, CRLF), text cells safe to open.

    A text cell starting with = + - @ would run as a formula in a spreadsheet: it gets a
    leading apostrophe. Only for reports; framework files keep their text exactly.
    """

    def safe(cell: object) -> object:
        if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@"):
            return "'" + cell
        return cell

    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([safe(cell) for cell in row] for row in rows)
    return out.getvalue()


def columns(max_level: int) -> list[str]:
    """The header row for a scale of ``max_level`` levels."""
    levels = [f"level_{n}_{lang}" for n in range(1, max_level + 1) for lang in ("it", "en")]
    return [
        "area",
        "area_title_it",
        "area_title_en",
        "code",
        "title_it",
        "title_en",
        "description_it",
        "description_en",
        *levels,
        *(f"target_{role}" for role in ROLES),
    ]


def read(text: str, header: Header) -> Framework:
    """Parse a spreadsheet; :class:`FrameworkError` lists every problem with its cell."""
    text = text.removeprefix("\ufeff")  # Excel's UTF-8 mark
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    names = [name.strip().lower() for name in next(rows, [])]
    problems = [
        Problem("row 1", f"column {name!r} is missing") for name in REQUIRED if name not in names
    ]
    levels = sorted(int(m.group(1)) for n in names if (m := _LEVEL.match(n)))
    if levels != list(range(1, len(levels) + 1)) or len(levels) < 2:
        problems.append(Problem("row 1", "level columns must run level_1_it, level_2_it, …"))
    if len(levels) != len(header.levels):
        problems.append(
            Problem("row 1", f"{len(levels)} level columns for {len(header.levels)} level names")
        )
    if problems:
        raise FrameworkError(problems)

    areas: dict[str, tuple[Text, list[Competency]]] = {}
    row_of: dict[str, int] = {}
    for number, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue  # blank lines between blocks are common in spreadsheets
        cells = {name: (row[i].strip() if i < len(row) else "") for i, name in enumerate(names)}
        before = len(problems)
        for name in REQUIRED:
            if not cells.get(name):
                problems.append(Problem(f"row {number}, column {name}", "empty"))
        targets: dict[str, int] = {}
        for role in ROLES:
            raw = cells.get(f"target_{role}", "")
            if raw:
                if raw.isdigit():
                    targets[role] = int(raw)
                else:
                    problems.append(
                        Problem(f"row {number}, column target_{role}", f"{raw!r} is not a level")
                    )
        descriptors = tuple(
            Text(cells.get(f"level_{n}_it", ""), cells.get(f"level_{n}_en", "")) for n in levels
        )
        for n, descriptor in enumerate(descriptors, start=1):
            if not descriptor.it:
                problems.append(Problem(f"row {number}, column level_{n}_it", "empty"))
        if len(problems) > before:
            continue
        area_title = Text(cells.get("area_title_it", ""), cells.get("area_title_en", ""))
        known = areas.get(cells["area"])
        if known is None:
            if not area_title.it:
                problems.append(
                    Problem(f"row {number}, column area_title_it", "empty on the area's first row")
                )
                continue
            known = areas[cells["area"]] = (area_title, [])
        elif area_title.it and area_title.it != known[0].it:
            problems.append(
                Problem(f"row {number}, column area_title_it", "differs from the area's first row")
            )
        if cells["code"] in row_of:
            problems.append(
                Problem(
                    f"row {number}, column code",
                    f"{cells['code']!r} is already used on row {row_of[cells['code']]}",
                )
            )
            continue
        row_of[cells["code"]] = number
        known[1].append(
            Competency(
                code=cells["code"],
                title=Text(cells["title_it"], cells.get("title_en", "")),
                description=Text(cells.get("description_it", ""), cells.get("description_en", "")),
                descriptors=descriptors,
                targets=targets,
            )
        )
    framework = Framework(
        id=header.id,
        version=header.version,
        title=header.title,
        scope=header.scope,
        levels=header.levels,
        areas=tuple(Area(code, title, tuple(items)) for code, (title, items) in areas.items()),
        description=header.description,
    )
    problems.extend(_located(check(framework), row_of))
    if problems:
        raise FrameworkError(problems)
    return framework


def _located(problems: list[Problem], rows: dict[str, int]) -> list[Problem]:
    # check() speaks of codes; a spreadsheet user looks for rows.
    located = []
    for problem in problems:
        match = re.match(r"competence '(.+)'$", problem.where)
        if match and match.group(1) in rows:
            where = f"row {rows[match.group(1)]}, competence {match.group(1)}"
            located.append(Problem(where, problem.message))
        else:
            located.append(problem)
    return located


def write(framework: Framework) -> str:
    """The spreadsheet for ``framework`` (comma-separated, UTF-8)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns(framework.max_level))
    for area, competency in framework.competencies():
        levels = [text for d in competency.descriptors for text in (d.it, d.en)]
        writer.writerow(
            [
                area.code,
                area.title.it,
                area.title.en,
                competency.code,
                competency.title.it,
                competency.title.en,
                competency.description.it,
                competency.description.en,
                *levels,
                *(competency.targets.get(role, "") for role in ROLES),
            ]
        )
    return out.getvalue()


def header_of(framework: Framework) -> Header:
    """What :func:`read` needs besides the rows, taken from an existing framework."""
    return Header(
        framework.id,
        framework.version,
        framework.title,
        framework.scope,
        framework.levels,
        framework.description,
    )
