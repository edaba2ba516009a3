"""The block's drawn pages that are worth keeping, and its rows in Open edX's report."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from opes_lti.competencies.questionnaire import Setup
from opes_xblocks.base import render
from opes_xblocks.i18n import strings
from opes_xblocks.selfassessment import viewmodels
from opes_xblocks.selfassessment.frameworks import remember

#: Drawn screens by block, language and settings (drawing was most of a render's time).
_SCREENS: dict[tuple[str, ...], str] = {}
_ANSWER = re.compile(r' data-answer="([^"]*):(\d+)"')


def screens(
    block_id: str,
    setup: Setup,
    file_key: str,
    lang: str,
    answers: Mapping[str, int],
    resume: int,
) -> str:
    """Every screen, drawn once per block, language and settings; this learner's marked."""
    framework = setup.framework
    key = (
        block_id,
        lang,
        framework.id,
        framework.version,
        file_key,
        setup.display,
        ",".join(setup.areas),
    )
    drawn = _SCREENS.get(key)
    if drawn is None:
        drawn = remember(
            _SCREENS,
            key,
            render(
                "templates/screens.html",
                {
                    "t": strings(lang),
                    "block_id": block_id,
                    "screens": viewmodels.screens(setup, lang),
                    "screen_count": len(setup.screens()),
                },
            ),
        )
    marked = _ANSWER.sub(
        lambda m: " checked" if answers.get(m.group(1)) == int(m.group(2)) else "", drawn
    )
    return marked.replace(f'data-screen="{resume}" hidden', f'data-screen="{resume}"', 1)


def report_rows(
    phase: str, framework: str, user_states: Any, limit: int | None
) -> Iterator[tuple[str, dict[str, Any]]]:
    """One row per learner who answered, for the learner-response report."""
    count = 0
    for user_state in user_states:
        state = user_state.state or {}
        answers = state.get("answers") or {}
        if not answers:
            continue
        if limit is not None and count >= limit:
            return
        count += 1
        yield (
            user_state.username,
            {
                "Phase": phase,
                "Framework": framework,
                "Submitted": bool(state.get("submitted")),
                "Answers": "; ".join(f"{k}={v}" for k, v in sorted(answers.items())),
            },
        )
