"""The designer's settings of a self-assessment block: the form's values, and their check.

Pure but for the tool client handed in: the block stores what :func:`check` returns
and nothing at all when it returns problems.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from opes_lti.competencies import builtin, case
from opes_lti.competencies.framework import Framework, FrameworkError
from opes_lti.competencies.questionnaire import Setup, SetupError, configure
from opes_xblocks.selfassessment import frameworks
from opes_xblocks.selfassessment.frameworks import FROM_TOOL, UPLOADED
from opes_xblocks.toolclient import ToolClient


@dataclass(frozen=True)
class Chosen:
    """Settings that passed every check, ready to store."""

    display_name: str
    framework: str
    framework_file: str
    setup: Setup
    weight: float


def form(
    current: Framework,
    values: Mapping[str, Any],
    tool: ToolClient | None,
    lang: str,
    text: Mapping[str, str],
) -> dict[str, Any]:
    """What the Studio form shows: the block's values and every framework it may ask."""
    offered, tool_error = frameworks.offered_by_tool(tool)
    choices = [(f.id, f.title.get(lang)) for f in builtin.all_frameworks()]
    choices += [
        (FROM_TOOL + item["id"], f"{item['title']} ({text['studio_from_tool']})")
        for item in offered
    ]
    return {
        **values,
        "t": text,
        "frameworks": choices,
        "tool_error": tool_error,
        "uploaded": UPLOADED,
        "areas": [(a.code, a.title.get(lang), a.code in values["areas"]) for a in current.areas],
    }


def _framework(data: Mapping[str, Any], tool: ToolClient | None) -> tuple[str, str, Framework]:
    """(field value, file, framework) the form names; ValueError or FrameworkError if none."""
    name = str(data.get("framework") or builtin.DEFAULT)
    file_text = str(data.get("framework_file") or "")
    if name.startswith(FROM_TOOL):
        file_text = frameworks.fetch_from_tool(tool, name.removeprefix(FROM_TOOL))
        name = UPLOADED
    if name == UPLOADED:
        return name, file_text, case.loads(file_text)
    if name in builtin.NAMES:
        return name, "", builtin.load(name)
    raise ValueError(f"framework: unknown {name!r}")


def check(data: Any, tool: ToolClient | None) -> Chosen | list[str]:
    """The settings to store, or every problem with them."""
    if not isinstance(data, dict):
        return ["expected an object"]
    problems: list[str] = []
    found: tuple[str, str, Framework] | None = None
    try:
        found = _framework(data, tool)
    except FrameworkError as exc:
        problems.extend(str(p) for p in exc.problems[:20])
    except ValueError as exc:
        problems.append(str(exc))
    setup = None
    try:
        framework = found[2] if found else builtin.load(builtin.DEFAULT)
        setup = configure(framework, data.get("phase"), data.get("display"), data.get("areas"))
    except SetupError as exc:
        problems.extend(exc.problems)
    weight = 1.0
    try:
        weight = float(data.get("weight", 1.0))
        if not 0 <= weight <= 100:
            raise ValueError
    except (TypeError, ValueError):
        problems.append("weight: a number from 0 to 100")
    name = str(data.get("display_name") or "").strip()[:200]
    if not name:
        problems.append("display_name: empty")
    if problems or found is None or setup is None:
        return problems
    return Chosen(name, found[0], found[1], setup, weight)
