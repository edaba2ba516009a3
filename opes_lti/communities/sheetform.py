"""A practice's sheet to and from a flat form (pure): the LTI page and the block send one.

Long fields are typed as plain text in a text box: paragraphs become ``<p>`` and lines
``<br>``, everything escaped, so what a person types is shown as typed and never as
markup. Lists come as numbered fields (``evidence-0-indicator``), blank rows skipped.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any

from opes_lti.communities.practice import PracticeSpec

#: The long fields, in the sheet's order.
LONG = ("problem", "audience", "actions", "resources", "results", "lessons", "transfer")
#: Rows offered for each list on a form (a sheet may hold more; the form keeps them).
ROWS = 3
LISTS: dict[str, tuple[str, ...]] = {
    "evidence": ("indicator", "value", "source"),
    "partners": ("name", "public_body", "role"),
    "links": ("url", "title"),
}


def paragraphs(text: str) -> str:
    """Plain text as escaped paragraphs."""
    blocks = [b.strip() for b in re.split(r"\n\s*\n", text.replace("\r\n", "\n")) if b.strip()]
    return "".join("<p>" + html.escape(b).replace("\n", "<br>") + "</p>" for b in blocks)


def text_of(rich: str) -> str:
    """Sanitised rich text back as the plain text a box shows (paragraphs kept)."""
    # Paragraphs first: a line break inside one is a single newline.
    spaced = re.sub(r"</p\s*>\s*", "\n\n", rich)
    spaced = re.sub(r"<br\s*/?>", "\n", spaced)
    return html.unescape(re.sub(r"<[^>]*>", "", spaced)).strip()


def split_list(value: str) -> list[str]:
    """A comma-separated list as its items, blanks dropped."""
    return [p.strip() for p in value.split(",") if p.strip()]


def sheet_of(form: Mapping[str, str]) -> dict[str, Any]:
    """The raw sheet a form sent, to be checked by :func:`~.practice.parse`."""
    get = lambda name: str(form.get(name) or "").strip()  # noqa: E731
    raw: dict[str, Any] = {
        "title": get("title"),
        "organisations": split_list(get("organisations")),
        "province": get("province").upper(),
        "stage": get("stage") or "running",
        "licence": get("licence") or "CC-BY-SA-4.0",
        "themes": [t.lower() for t in split_list(get("themes"))],
    }
    for name in ("region", "started_on", "ended_on"):
        if get(name):
            raw[name] = get(name)
    for name in LONG:
        raw[name] = paragraphs(str(form.get(name) or ""))
    for name, parts in LISTS.items():
        rows = []
        for n in range(rows_sent(form, name)):
            row: dict[str, str | None] = {part: get(f"{name}-{n}-{part}") for part in parts}
            if not any(row.values()):
                continue
            if name == "partners":
                row["public_body"] = row["public_body"] or None  # an organisation
            rows.append(row)
        raw[name] = rows
    return raw


def rows_sent(form: Mapping[str, str], name: str) -> int:
    """How many rows of list ``name`` a form sent (``name-<n>-<part>``)."""
    numbers = [int(m.group(1)) for k in form if (m := re.fullmatch(rf"{name}-(\d{{1,2}})-\w+", k))]
    return max(numbers, default=-1) + 1


def form_of(spec: PracticeSpec | None) -> dict[str, str]:
    """The form's values for a sheet (empty for a new one), with spare rows."""
    if spec is None:
        return {}
    values: dict[str, str] = {
        "title": spec.title,
        "organisations": ", ".join(spec.organisations),
        "region": spec.region or "",
        "province": spec.province,
        "stage": spec.stage,
        "started_on": spec.started_on.isoformat() if spec.started_on else "",
        "ended_on": spec.ended_on.isoformat() if spec.ended_on else "",
        "licence": spec.licence,
        "themes": ", ".join(spec.themes),
    }
    for name in LONG:
        values[name] = text_of(getattr(spec, name))
    for name, parts in LISTS.items():
        for n, item in enumerate(getattr(spec, name)):
            for part in parts:
                values[f"{name}-{n}-{part}"] = str(getattr(item, part) or "")
    return values


def rows(values: Mapping[str, str], name: str) -> int:
    """How many rows of list ``name`` the form shows: those filled, and spare ones."""
    return rows_sent(values, name) + ROWS
