"""The frameworks the project ships, kept as spreadsheets a designer can edit.

Each is ``frameworks/NAME.csv`` (the competences, see :mod:`csvformat`) beside
``NAME.meta.json`` (id, version, title, scope, level names).
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

from opes_lti.competencies import csvformat
from opes_lti.competencies.framework import Framework, Text

#: Shipped frameworks, the person one first (the default of a new activity).
NAMES = ("opes-progettazione", "opes-organizzazione")
DEFAULT = NAMES[0]


@cache
def load(name: str) -> Framework:
    """A shipped framework by id; KeyError for an unknown one."""
    if name not in NAMES:
        raise KeyError(name)
    folder = resources.files("opes_lti.competencies") / "frameworks"
    meta = json.loads((folder / f"{name}.meta.json").read_text(encoding="utf-8"))
    header = csvformat.Header(
        id=meta["id"],
        version=meta["version"],
        title=Text.of(meta["title"]),
        scope=meta["scope"],
        levels=tuple(Text.of(level) for level in meta["levels"]),
        description=Text.of(meta.get("description", {})),
    )
    return csvformat.read((folder / f"{name}.csv").read_text(encoding="utf-8"), header)


def all_frameworks() -> list[Framework]:
    """Every shipped framework."""
    return [load(name) for name in NAMES]
