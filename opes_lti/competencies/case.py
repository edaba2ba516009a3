"""Frameworks as JSON modelled on 1EdTech CASE 1.0 (a CFPackage), pure.

- ``CFDocument``: the framework; ``version`` and ``language`` ("it") as CASE has them.
- ``CFItems``: areas (``CFItemType`` "Area") and competences ("Competenza"), with the code
  in ``humanCodingScheme``, the title in ``fullStatement`` and the description in ``notes``.
- ``CFAssociations``: ``isChildOf`` from each competence to its area and from each area to
  the document, ordered by ``sequenceNumber``.
- ``CFRubrics``: one rubric whose criteria are the competences, with a
  ``CFRubricCriterionLevels`` entry per level (``score``, ``quality`` = level name,
  ``description`` = behavioural descriptor).

CASE has one language per document, so the English text and what CASE has no field for
(scope, target levels per role) live under ``extensions.opes``, which CASE readers ignore.
Identifiers are UUIDv5 of the framework id and code: exporting twice gives the same file.
Errors name the JSON path (``CFItems[3].fullStatement``).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from opes_lti.competencies.framework import (
    ROLES,
    Area,
    Competency,
    Framework,
    FrameworkError,
    Problem,
    Text,
    check,
)

NAMESPACE = uuid.UUID("6f1c1c1e-8a0b-4f43-9a1c-0be5c0de0e5a")
AREA, COMPETENCY = "Area", "Competenza"
T = TypeVar("T")


def _id(framework_id: str, *parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join((framework_id, *parts))))


def _opes(en: dict[str, str] | None = None, **more: Any) -> dict[str, Any]:
    body = {k: v for k, v in more.items() if v}
    if en := {k: v for k, v in (en or {}).items() if v}:
        body["en"] = en
    return {"extensions": {"opes": body}} if body else {}


def dump(framework: Framework) -> dict[str, Any]:
    """The CFPackage for ``framework``."""
    fid = framework.id
    doc_id = _id(fid)
    items: list[dict[str, Any]] = []
    associations: list[dict[str, Any]] = []
    criteria: list[dict[str, Any]] = []

    def child_of(child: str, parent: str, sequence: int) -> None:
        associations.append(
            {
                "identifier": _id(fid, "assoc", child),
                "associationType": "isChildOf",
                "originNodeURI": {"identifier": child},
                "destinationNodeURI": {"identifier": parent},
                "sequenceNumber": sequence,
            }
        )

    for a_index, area in enumerate(framework.areas, start=1):
        area_id = _id(fid, "area", area.code)
        items.append(
            {
                "identifier": area_id,
                "CFItemType": AREA,
                "humanCodingScheme": area.code,
                "fullStatement": area.title.it,
                "language": "it",
                **_opes({"fullStatement": area.title.en}),
            }
        )
        child_of(area_id, doc_id, a_index)
        for c_index, comp in enumerate(area.competencies, start=1):
            comp_id = _id(fid, "item", comp.code)
            items.append(
                {
                    "identifier": comp_id,
                    "CFItemType": COMPETENCY,
                    "humanCodingScheme": comp.code,
                    "fullStatement": comp.title.it,
                    "notes": comp.description.it,
                    "language": "it",
                    **_opes(
                        {"fullStatement": comp.title.en, "notes": comp.description.en},
                        targets=dict(comp.targets),
                    ),
                }
            )
            child_of(comp_id, area_id, c_index)
            criteria.append(
                {
                    "identifier": _id(fid, "criterion", comp.code),
                    "CFItemURI": {"identifier": comp_id},
                    "position": len(criteria) + 1,
                    "CFRubricCriterionLevels": [
                        {
                            "identifier": _id(fid, "level", comp.code, str(level)),
                            "score": level,
                            "position": level,
                            "quality": framework.levels[level - 1].it,
                            "description": text.it,
                            **_opes(
                                {"quality": framework.levels[level - 1].en, "description": text.en}
                            ),
                        }
                        for level, text in enumerate(comp.descriptors, start=1)
                    ],
                }
            )
    return {
        "CFDocument": {
            "identifier": doc_id,
            "title": framework.title.it,
            "description": framework.description.it,
            "version": framework.version,
            "language": "it",
            **_opes(
                {"title": framework.title.en, "description": framework.description.en},
                id=framework.id,
                scope=framework.scope,
            ),
        },
        "CFItems": items,
        "CFAssociations": associations,
        "CFRubrics": [
            {
                "identifier": _id(fid, "rubric"),
                "title": framework.title.it,
                "CFRubricCriteria": criteria,
            }
        ],
    }


def dumps(framework: Framework) -> str:
    """:func:`dump` as indented JSON text."""
    return json.dumps(dump(framework), ensure_ascii=False, indent=2) + "\n"


class _Reader:
    """Collects every problem instead of stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def bad(self, where: str, message: str) -> None:
        self.problems.append(Problem(where, message))

    def get(self, obj: Any, key: str, where: str, kind: type[T], default: T | None = None) -> T:
        value = obj.get(key) if isinstance(obj, dict) else None
        if value is None and default is not None:
            return default
        if not isinstance(value, kind) or isinstance(value, bool):
            self.bad(f"{where}.{key}", f"expected {_KIND[kind]}")
            return kind()
        return value

    def each(self, obj: Any, key: str, where: str, read: Callable[[Any, str], None]) -> None:
        for index, value in enumerate(self.get(obj, key, where, list)):
            read(value, f"{where}.{key}[{index}]" if where else f"{key}[{index}]")

    def english(self, obj: Any, key: str) -> str:
        ext = obj.get("extensions") if isinstance(obj, dict) else None
        en = ((ext or {}).get("opes") or {}).get("en") or {}
        value = en.get(key, "") if isinstance(en, dict) else ""
        return value if isinstance(value, str) else ""


_KIND = {str: "a string", int: "a whole number", list: "a list", dict: "an object"}


def load(package: Any) -> Framework:
    """Read a CFPackage; :class:`FrameworkError` lists every problem with its JSON path."""
    r = _Reader()
    if not isinstance(package, dict):
        raise FrameworkError([Problem("(file)", "expected a JSON object with CFDocument")])
    doc = r.get(package, "CFDocument", "", dict)
    opes = ((doc.get("extensions") or {}).get("opes") or {}) if isinstance(doc, dict) else {}
    scope = opes.get("scope", "person")
    if scope not in ("person", "organisation"):
        r.bad("CFDocument.extensions.opes.scope", "expected 'person' or 'organisation'")
        scope = "person"

    items: dict[str, tuple[dict[str, Any], str]] = {}

    def read_item(item: Any, where: str) -> None:
        identifier = r.get(item, "identifier", where, str)
        kind = r.get(item, "CFItemType", where, str, default=COMPETENCY)
        if kind not in (AREA, COMPETENCY):
            r.bad(f"{where}.CFItemType", f"expected {AREA!r} or {COMPETENCY!r}")
        r.get(item, "humanCodingScheme", where, str)
        r.get(item, "fullStatement", where, str)
        if identifier in items:
            r.bad(f"{where}.identifier", "used by another item")
        items[identifier] = (item if isinstance(item, dict) else {}, where)

    r.each(package, "CFItems", "", read_item)
    children: dict[str, list[tuple[int, str]]] = {}

    def read_association(assoc: Any, where: str) -> None:
        if r.get(assoc, "associationType", where, str) != "isChildOf":
            return  # other CASE associations (isRelatedTo…) carry nothing used here
        origin = r.get(r.get(assoc, "originNodeURI", where, dict), "identifier", where, str)
        parent = r.get(r.get(assoc, "destinationNodeURI", where, dict), "identifier", where, str)
        sequence = r.get(assoc, "sequenceNumber", where, int, default=0)
        if origin not in items:
            r.bad(f"{where}.originNodeURI", f"no item {origin!r}")
            return
        children.setdefault(parent, []).append((sequence, origin))

    r.each(package, "CFAssociations", "", read_association)
    levels: dict[str, list[tuple[int, Text, Text]]] = {}

    def read_rubric(rubric: Any, where: str) -> None:
        def read_criterion(criterion: Any, cwhere: str) -> None:
            item = r.get(r.get(criterion, "CFItemURI", cwhere, dict), "identifier", cwhere, str)
            found: list[tuple[int, Text, Text]] = []

            def read_level(level: Any, lwhere: str) -> None:
                score = r.get(level, "score", lwhere, int)
                found.append(
                    (
                        score,
                        Text(
                            r.get(level, "quality", lwhere, str, default=""),
                            r.english(level, "quality"),
                        ),
                        Text(
                            r.get(level, "description", lwhere, str),
                            r.english(level, "description"),
                        ),
                    )
                )

            r.each(criterion, "CFRubricCriterionLevels", cwhere, read_level)
            scores = sorted(score for score, _, _ in found)
            if scores != list(range(1, len(scores) + 1)):
                r.bad(f"{cwhere}.CFRubricCriterionLevels", "scores must run 1, 2, 3, …")
            levels[item] = sorted(found, key=lambda entry: entry[0])

        r.each(rubric, "CFRubricCriteria", where, read_criterion)

    r.each(package, "CFRubrics", "", read_rubric)
    if r.problems:
        raise FrameworkError(r.problems)

    def text(item: dict[str, Any], key: str) -> Text:
        value = item.get(key)
        return Text(value if isinstance(value, str) else "", r.english(item, key))

    doc_id = doc.get("identifier", "")
    areas = []
    scale: tuple[Text, ...] = ()
    for _, area_id in sorted(children.get(doc_id, [])):
        area_item, _ = items[area_id]
        competencies = []
        for _, comp_id in sorted(children.get(area_id, [])):
            comp_item, cwhere = items[comp_id]
            rubric = levels.get(comp_id)
            if rubric is None:
                r.bad(cwhere, "no rubric criterion describes this competence's levels")
                continue
            scale = scale or tuple(quality for _, quality, _ in rubric)
            targets = ((comp_item.get("extensions") or {}).get("opes") or {}).get("targets", {})
            if not isinstance(targets, dict) or not all(
                role in ROLES and isinstance(level, int) for role, level in targets.items()
            ):
                r.bad(f"{cwhere}.extensions.opes.targets", "expected {role: level}")
                targets = {}
            competencies.append(
                Competency(
                    code=comp_item["humanCodingScheme"],
                    title=text(comp_item, "fullStatement"),
                    description=text(comp_item, "notes"),
                    descriptors=tuple(description for _, _, description in rubric),
                    targets=targets,
                )
            )
        areas.append(
            Area(
                area_item["humanCodingScheme"],
                text(area_item, "fullStatement"),
                tuple(competencies),
            )
        )
    if not children.get(doc_id):
        r.bad("CFAssociations", "no area is a child (isChildOf) of the CFDocument")
    framework = Framework(
        id=str(opes.get("id") or doc_id),
        version=str(doc.get("version", "")),
        title=Text(str(doc.get("title", "")), r.english(doc, "title")),
        scope=scope,
        levels=scale,
        areas=tuple(areas),
        description=Text(str(doc.get("description") or ""), r.english(doc, "description")),
    )
    r.problems.extend(check(framework, "CFDocument"))
    if r.problems:
        raise FrameworkError(r.problems)
    return framework


def loads(text: str | bytes) -> Framework:
    """:func:`load` from JSON text; bad JSON is reported with its line and column."""
    try:
        package = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FrameworkError(
            [Problem(f"line {exc.lineno}, column {exc.colno}", f"not JSON: {exc.msg}")]
        ) from None
    except UnicodeDecodeError:
        raise FrameworkError([Problem("(file)", "not UTF-8 text")]) from None
    return load(package)
