"""A group exercise's settings: one parser for both faces, every setting kept, errors by field."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opes_lti.groups.settings import (
    CriterionSetting,
    ExerciseSettings,
    LevelSetting,
    SettingsError,
    dumped,
    parse,
    rubric_from_text,
    rubric_text,
)

FULL = {
    "title": "Progettare per un bando",
    "instructions": '<p>Leggete il <a href="https://example.org/bando">bando</a>.</p>',
    "least": 3,
    "most": 5,
    "formation": "mix_regions",
    "due": "2027-03-01T18:00:00+01:00",
    "late": "refused",
    "deliverable": "file",
    "rubric": [
        {
            "code": "need",
            "title": "Bisogno",
            "levels": [{"label": "no", "points": 0}, {"label": "sì", "points": 4}],
        },
    ],
    "reviews": {
        "gives": 3,
        "needs": 2,
        "due": "2027-03-08T18:00:00+01:00",
        "instructor_after": "2027-03-15T18:00:00+01:00",
    },
    "grading": {"scheme": "webpa", "weight": 0.4, "penalty": 0.1, "scale": 30},
}


def test_every_setting_survives_a_round_trip() -> None:
    settings = parse(FULL)
    again = parse(dumped(settings))
    assert again == settings
    assert settings.bounds.most == 5
    assert settings.to_rubric() is not None
    assert 'rel="noopener noreferrer"' in settings.instructions


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"least": 6, "most": 2}, "settings"),
        ({"title": ""}, "title"),
        ({"formation": "alphabetical"}, "formation"),
        ({"reviews": {"gives": 1, "needs": 2}}, "reviews"),
        ({"rubric": []}, "settings"),  # reviews without a rubric
        ({"grading": {"scheme": "webpa", "weight": 2}}, "grading.weight"),
        ({"due": "2027-03-01T18:00:00"}, "due"),  # a time without its zone
        ({"surprise": 1}, "surprise"),
    ],
)
def test_bad_settings_name_the_field(change: dict[str, Any], field: str) -> None:
    with pytest.raises(SettingsError) as refused:
        parse(FULL | change)
    assert field in [f for f, _, _ in refused.value.errors]


def test_instructions_are_sanitised() -> None:
    settings = parse({"title": "x", "instructions": "<p>ok</p><script>alert(1)</script>"})
    assert settings.instructions == "<p>ok</p>"


@given(
    st.dictionaries(st.sampled_from([*sorted(FULL), "x"]), st.none() | st.integers() | st.text())
)
def test_any_mapping_gives_settings_or_field_errors(raw: dict[str, Any]) -> None:
    outcome: ExerciseSettings | SettingsError
    try:
        outcome = parse(raw)
    except SettingsError as refused:
        outcome = refused
    assert isinstance(outcome, ExerciseSettings) or outcome.errors


def _cell(most: int) -> st.SearchStrategy[str]:
    """A title or label a designer could write: no separators, no line breaks."""
    chars = st.characters(blacklist_characters="|=", blacklist_categories=["Cs", "Zl", "Zp", "Cc"])
    return st.text(chars, min_size=1, max_size=most).filter(lambda t: bool(t.strip()))


@given(
    st.lists(
        st.tuples(
            _cell(30),
            st.lists(
                st.tuples(
                    _cell(20),
                    st.integers(0, 1000),
                ),
                min_size=2,
                max_size=5,
            ),
        ),
        max_size=6,
    )
)
def test_a_rubric_written_as_text_reads_back_as_written(
    criteria: list[tuple[str, list[tuple[str, int]]]],
) -> None:
    rubric = [
        CriterionSetting(
            code=f"c{i}",
            title=title.strip(),
            levels=[LevelSetting(label=label.strip(), points=p) for label, p in levels],
        )
        for i, (title, levels) in enumerate(criteria, 1)
    ]
    read = rubric_from_text(rubric_text(rubric))
    assert [CriterionSetting.model_validate(c) for c in read] == rubric


@pytest.mark.parametrize("line", ["Chiarezza | buono", "Chiarezza | = 3", "Chiarezza | ok = -1"])
def test_a_rubric_line_that_cannot_be_read_names_its_line(line: str) -> None:
    with pytest.raises(SettingsError) as caught:
        rubric_from_text("Ok | a = 0 | b = 1\n" + line)
    assert caught.value.errors[0][0] == "rubric.2"
