"""A partnership or an intervention to and from a flat form (pure): the page and the block.

As with a practice's sheet (:mod:`.sheetform`): long fields are plain text made into
escaped paragraphs, lists of parties are numbered rows (``public_bodies-0-name``), and
comma-separated fields become lists. What may be picked several times (regions,
practices, meetings) comes as repeated values, passed apart in ``picked``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from opes_lti.communities.partnership import InterventionSpec, Kind, Spec
from opes_lti.communities.sheetform import paragraphs, rows_sent, split_list, text_of

#: The rows of parties each form offers, and what each row asks.
LISTS: dict[Kind, tuple[str, tuple[str, ...]]] = {
    "partnership": ("public_bodies", ("kind", "name", "role")),
    "intervention": ("partners", ("name", "public_body", "role")),
}
#: The long fields of each kind.
LONG: dict[Kind, tuple[str, ...]] = {
    "partnership": ("description",),
    "intervention": ("description", "audience"),
}
#: What a form may pick several of.
PICKED: dict[Kind, tuple[str, ...]] = {
    "partnership": ("practices",),
    "intervention": ("regions", "practices", "meetings"),
}
ROWS = 3


def raw_of(
    kind: Kind, form: Mapping[str, str], picked: Mapping[str, Sequence[str]]
) -> dict[str, Any]:
    """The raw record a form sent, to be checked by :func:`~.partnership.parse`."""
    get = lambda name: str(form.get(name) or "").strip()  # noqa: E731
    raw: dict[str, Any] = {"title": get("title")}
    raw["provinces"] = [p.upper() for p in split_list(get("provinces"))]
    for name in PICKED[kind]:
        raw[name] = [str(v).strip() for v in picked.get(name, ()) if str(v).strip()]
    for name in LONG[kind]:
        raw[name] = paragraphs(str(form.get(name) or ""))
    if kind == "partnership":
        raw |= {"act": get("act"), "act_reference": get("act_reference")}
        raw["organisations"] = split_list(get("organisations"))
        for name in ("since", "region"):
            if get(name):
                raw[name] = get(name)
    else:
        raw["status"] = get("status") or "planned"
        for name in ("started_on", "ended_on"):
            if get(name):
                raw[name] = get(name)
    rows_name, parts = LISTS[kind]
    rows = []
    for n in range(rows_sent(form, rows_name)):
        row: dict[str, str | None] = {part: get(f"{rows_name}-{n}-{part}") for part in parts}
        if not any(row.values()):
            continue
        if "public_body" in row:
            row["public_body"] = row["public_body"] or None  # an organisation
        rows.append(row)
    raw[rows_name] = rows
    return raw


def values_of(spec: Spec | None) -> tuple[dict[str, str], dict[str, list[str]]]:
    """The form's values and picks for a record (empty for a new one)."""
    if spec is None:
        return {}, {}
    kind: Kind = "intervention" if isinstance(spec, InterventionSpec) else "partnership"
    dumped = spec.model_dump(mode="json")
    values: dict[str, str] = {"title": spec.title, "provinces": ", ".join(spec.provinces)}
    for name in LONG[kind]:
        values[name] = text_of(dumped[name])
    singles = ("status", "started_on", "ended_on") if kind == "intervention" else (
        "act", "act_reference", "since", "region"
    )  # fmt: skip
    for name in singles:
        values[name] = str(dumped[name] or "")
    if kind == "partnership":
        values["organisations"] = ", ".join(dumped["organisations"])
    rows_name, parts = LISTS[kind]
    for n, item in enumerate(dumped[rows_name]):
        for part in parts:
            values[f"{rows_name}-{n}-{part}"] = str(item.get(part) or "")
    return values, {name: list(dumped[name]) for name in PICKED[kind]}


def rows(kind: Kind, values: Mapping[str, str]) -> int:
    """How many rows of parties the form shows: those filled, and spare ones."""
    return rows_sent(values, LISTS[kind][0]) + ROWS
