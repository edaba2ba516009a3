"""Frameworks as a spreadsheet: one row per competence, pure.

Columns (header row first; Italian Excel's ``;`` works as well as ``,``)::

    area, area_title_it, area_title_en, code, title_it, title_en,
    description_it, description_en, level_1_it, level_1_en, … level_N_it, level_N_en,
    target_manager, target_volunteer, target_staff

The number of ``level_N_it`` columns sets the scale. The framework's own values (id,
version, title, scope, level names) are either in ``framework_*`` and
``level_name_N_*`` columns, filled on one row (what :func:`write` exports, so an exported
file reads back as it is), or come beside the file as :class:`Header`. Every error names
the spreadsheet row (the header is row 1) and column.
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


#: A cell a spreadsheet would run as a formula starts with one of these (tab and CR too,
#: which some spreadsheets skip before looking); the apostrophe is the guard itself, so a
#: text that starts with one is guarded as well and every text reads back as it was.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "'")
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")


def cell(value: object) -> object:
    """``value`` as a cell safe to open in a spreadsheet.

    Text that could run as a formula gets a leading apostrophe (the spreadsheets' own
    text marker); numbers, and text that is a number (``-2.000``), stay as they are.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS) and not _NUMBER.match(value):
        return "'" + value
    return value


def uncell(text: str) -> str:
    """A cell's text as written before :func:`cell` guarded it."""
    return text[1:] if text.startswith("'") else text


def table(header: list[str], rows: list[list[object]]) -> str:
    """A report as CSV text (comma-separated, CRLF), every cell safe to open."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([cell(name) for name in header])
    writer.writerows([cell(value) for value in row] for row in rows)
    return out.getvalue()


_FRAMEWORK = (
    "framework_id",
    "framework_version",
    "framework_scope",
    "framework_title_it",
    "framework_title_en",
    "framework_description_it",
    "framework_description_en",
)
_LEVEL_NAME = re.compile(r"^level_name_(\d+)_it$")
_LEVEL_NAME_ANY = re.compile(r"^level_name_\d+_(it|en)$")


def framework_columns(max_level: int) -> list[str]:
    """The columns that carry the framework's own values in an exported spreadsheet."""
    names = [f"level_name_{n}_{lang}" for n in range(1, max_level + 1) for lang in ("it", "en")]
    return [*_FRAMEWORK, *names]


def _header_from_rows(names: list[str], rows: list[tuple[int, list[str]]]) -> Header:
    """The :class:`Header` held in ``framework_*`` columns (on one row, or repeated)."""
    if "framework_id" not in names:
        raise FrameworkError(
            [
                Problem(
                    "row 1",
                    "no framework_id column: put the framework's id, version, title and level "
                    "names in framework_* and level_name_N_* columns (as 'frameworks export "
                    "--format csv' writes them), or give them beside the file (--meta)",
                )
            ]
        )
    found: dict[str, tuple[int, str]] = {}
    problems = []
    for number, row in rows:
        for i, name in enumerate(names):
            value = row[i].strip() if i < len(row) else ""
            if not value or not (name.startswith("framework_") or _LEVEL_NAME_ANY.match(name)):
                continue
            if name in found and found[name][1] != value:
                problems.append(
                    Problem(f"row {number}, column {name}", f"differs from row {found[name][0]}")
                )
            found.setdefault(name, (number, value))
    given = {name: v for name, (_n, v) in found.items()}
    problems.extend(
        Problem(f"column {name}", "empty on every row")
        for name in ("framework_id", "framework_version", "framework_title_it")
        if name not in given
    )
    scope = given.get("framework_scope", "person")
    if scope not in ("person", "organisation"):
        problems.append(Problem("column framework_scope", f"{scope!r}: person or organisation"))
    count = max((int(m.group(1)) for n in names if (m := _LEVEL_NAME.match(n))), default=0)
    levels = tuple(
        Text(given.get(f"level_name_{n}_it", ""), given.get(f"level_name_{n}_en", ""))
        for n in range(1, count + 1)
    )
    for n, level in enumerate(levels, start=1):
        if not level.it:
            problems.append(Problem(f"column level_name_{n}_it", "empty on every row"))
    if problems:
        raise FrameworkError(problems)
    return Header(
        id=given["framework_id"],
        version=given["framework_version"],
        title=Text(given["framework_title_it"], given.get("framework_title_en", "")),
        scope="organisation" if scope == "organisation" else "person",
        levels=levels,
        description=Text(
            given.get("framework_description_it", ""), given.get("framework_description_en", "")
        ),
    )


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


def read(text: str, header: Header | None = None) -> Framework:
    """Parse a spreadsheet; :class:`FrameworkError` lists every problem with its cell.

    Without ``header``, the framework's values come from its ``framework_*`` columns.
    """
    text = text.removeprefix("\ufeff")  # Excel's UTF-8 mark
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    names = [name.strip().lower() for name in next(reader, [])]
    rows = [[uncell(value) for value in row] for row in reader]  # as write() guarded them
    if header is None:
        header = _header_from_rows(names, list(enumerate(rows, start=2)))
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
        problems.extend(
            Problem(f"row {number}, column {name}", "empty")
            for name in REQUIRED
            if not cells.get(name)
        )
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
    """The spreadsheet for ``framework`` (comma-separated, UTF-8), readable as it is.

    The framework's own values fill the ``framework_*`` columns of the first row.
    """
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")

    def write_row(values: list[object]) -> None:
        writer.writerow([cell(value) for value in values])

    write_row([*columns(framework.max_level), *framework_columns(framework.max_level)])
    own = [
        framework.id,
        framework.version,
        framework.scope,
        framework.title.it,
        framework.title.en,
        framework.description.it,
        framework.description.en,
        *(text for level in framework.levels for text in (level.it, level.en)),
    ]
    for number, (area, competency) in enumerate(framework.competencies()):
        levels = [text for d in competency.descriptors for text in (d.it, d.en)]
        write_row(
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
                *(own if number == 0 else [""] * len(own)),
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
