"""Find, add and list frameworks: the shipped ones first, then those in the database."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from opes_lti.competencies import builtin, case, csvformat
from opes_lti.competencies.framework import Framework, FrameworkError, Problem
from opes_lti.framework_library.models import StoredFramework

#: Parsed frameworks by (id, version): a version never changes once stored, so a
#: process may keep it; a new version is a new key.
_parsed: dict[tuple[str, str], Framework] = {}


class UnknownFramework(KeyError):
    """No framework has this id."""


@dataclass(frozen=True)
class Listed:
    """A framework as the picker and the list show it."""

    id: str
    version: str
    title: str
    shipped: bool


def find(db: Session, framework_id: str) -> Framework:
    """The framework with ``framework_id``; :class:`UnknownFramework` if none."""
    if framework_id in builtin.NAMES:
        return builtin.load(framework_id)
    version = db.scalar(
        sa.select(StoredFramework.version).where(StoredFramework.framework_id == framework_id)
    )
    if version is None:
        raise UnknownFramework(framework_id)
    key = (framework_id, version)
    if key not in _parsed:
        package = db.scalar(
            sa.select(StoredFramework.package).where(StoredFramework.framework_id == framework_id)
        )
        _parsed[key] = case.loads(package or "")
    return _parsed[key]


def all_listed(db: Session) -> list[Listed]:
    """Shipped frameworks, then the added ones by title."""
    shipped = [Listed(f.id, f.version, f.title.it, True) for f in builtin.all_frameworks()]
    added = db.execute(
        sa.select(
            StoredFramework.framework_id, StoredFramework.version, StoredFramework.title
        ).order_by(StoredFramework.title)
    ).all()
    return shipped + [Listed(i, v, t, False) for i, v, t in added]


def listing(db: Session, url_of: Callable[[str], str]) -> list[dict[str, object]]:
    """Every framework as machines read the list (Studio, the blocks' API): with its URL."""
    return [
        {
            "id": item.id,
            "version": item.version,
            "title": item.title,
            "shipped": item.shipped,
            "url": url_of(item.id),
        }
        for item in all_listed(db)
    ]


def all_frameworks(db: Session) -> list[Framework]:
    """Every framework, parsed."""
    return [find(db, listed.id) for listed in all_listed(db)]


def read_file(name: str, text: str, header: csvformat.Header | None = None) -> Framework:
    """A framework from a CASE JSON file, or from a spreadsheet with its ``header``."""
    if name.lower().endswith(".csv"):
        return csvformat.read(text, header)
    return case.loads(text)


def add(db: Session, framework: Framework) -> str:
    """Store ``framework`` (a new id, or a new version of an added one); say what happened."""
    if framework.id in builtin.NAMES:
        raise FrameworkError(
            [
                Problem(
                    "CFDocument.extensions.opes.id",
                    f"{framework.id!r} is a shipped framework: choose another id",
                )
            ]
        )
    row = db.scalar(sa.select(StoredFramework).where(StoredFramework.framework_id == framework.id))
    package = case.dumps(framework)
    if row is None:
        db.add(
            StoredFramework(
                framework_id=framework.id,
                version=framework.version,
                title=framework.title.it[:300],
                package=package,
            )
        )
        return "added"
    if row.version == framework.version:
        if row.package == package:
            return "unchanged"
        raise FrameworkError(
            [
                Problem(
                    "CFDocument.version",
                    f"version {framework.version} is stored with other content: "
                    "give this one a new version",
                )
            ]
        )
    row.version, row.title, row.package = framework.version, framework.title.it[:300], package
    return "updated"
