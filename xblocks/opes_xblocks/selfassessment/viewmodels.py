"""What the self-assessment block's pages show, built from the questionnaire: pure.

The block hands in its setup, answers and stored summaries; these functions return
the dictionaries its templates and the mobile apps draw. No XBlock, no Django.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from opes_lti.competencies import chart
from opes_lti.competencies.questionnaire import Setup, result
from opes_lti.learners.profile import Profile

#: Class averages are shown only from this many learners (no one is identifiable).
K = 5


def screens(setup: Setup, lang: str) -> list[dict[str, Any]]:
    """Every screen with its competences and their level descriptors."""
    framework = setup.framework
    return [
        {
            "index": screen.index,
            "number": screen.index + 1,
            "area": screen.area.title.get(lang),
            "competencies": [
                {
                    "code": competency.code,
                    "dom": competency.code.replace(".", "-"),
                    "title": competency.title.get(lang),
                    "description": competency.description.get(lang),
                    "levels": [
                        {
                            "value": level,
                            "name": framework.levels[level - 1].get(lang),
                            "descriptor": descriptor.get(lang),
                        }
                        for level, descriptor in enumerate(competency.descriptors, start=1)
                    ],
                }
                for competency in screen.competencies
            ],
        }
        for screen in setup.screens()
    ]


def outcome(
    setup: Setup,
    answers: Mapping[str, int],
    profile: Profile,
    pre: Mapping[str, int] | None,
    lang: str,
    text: Mapping[str, str],
) -> dict[str, Any]:
    """The learner's result: the chart and its table, against their role and pre answers."""
    rows = result(setup, answers, profile.role, pre)
    labels = chart.Labels(
        text["result_title"],
        text["chart_description"],
        text["your_level"],
        text["before"],
        text["expected_short"],
    )
    framework = setup.framework
    return {
        "t": text,
        "svg": chart.bars(rows, framework.max_level, lang, labels),
        "has_pre": pre is not None,
        "show_no_pre": setup.phase == "post" and pre is None,
        "rows": [
            {
                "title": row.competency.title.get(lang),
                "level": row.level,
                "level_name": framework.levels[row.level - 1].get(lang),
                "target": row.target,
                "reached": row.reaches_target,
                "pre": row.pre,
                "difference": (None if row.difference is None else f"{row.difference:+d}"),
            }
            for row in rows
        ],
    }


def class_view(
    setup: Setup, summary: Mapping[str, Any], lang: str, text: Mapping[str, str]
) -> dict[str, Any]:
    """Class averages per competence for staff, each hidden below :data:`K` answers."""
    mine = summary.get(setup.phase, {})
    lines = []
    for competency in setup.asked():
        count = int(mine.get("counts", {}).get(competency.code, 0))
        total = float(mine.get("sums", {}).get(competency.code, 0))
        lines.append(
            {
                "code": competency.code,
                "title": competency.title.get(lang),
                "count": count,
                "mean": f"{total / count:.1f}" if count >= K else "—",
            }
        )
    return {
        "learners": text["class_learners"].format(n=int(mine.get("learners", 0))),
        "empty": not mine.get("learners"),
        "lines": lines,
        "suppressed": text["class_suppressed"].format(k=K),
    }


def with_submission(summary: Mapping[str, Any], phase: str, answers: Mapping[str, int]) -> dict:
    """The class summary with one more learner's answers counted (a new dict)."""
    import json

    updated: dict[str, Any] = json.loads(json.dumps(summary))  # deep copy, plain JSON
    mine = updated.setdefault(phase, {"learners": 0, "sums": {}, "counts": {}})
    mine["learners"] += 1
    for code, level in answers.items():
        mine["sums"][code] = mine["sums"].get(code, 0) + level
        mine["counts"][code] = mine["counts"].get(code, 0) + 1
    return updated


def mobile(setup: Setup, answers: Mapping[str, int], submitted: bool, lang: str) -> dict:
    """What the mobile apps need to draw the questionnaire themselves."""
    framework = setup.framework
    return {
        "framework": {
            "id": framework.id,
            "version": framework.version,
            "title": framework.title.get(lang),
            "levels": [level.get(lang) for level in framework.levels],
        },
        "phase": setup.phase,
        "display": setup.display,
        "screens": [
            {
                "area": screen.area.title.get(lang),
                "competencies": [
                    {
                        "code": c.code,
                        "title": c.title.get(lang),
                        "description": c.description.get(lang),
                        "descriptors": [d.get(lang) for d in c.descriptors],
                    }
                    for c in screen.competencies
                ],
            }
            for screen in setup.screens()
        ],
        "answers": dict(answers),
        "submitted": submitted,
    }
