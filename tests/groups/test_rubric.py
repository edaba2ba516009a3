"""Rubric scoring: every criterion scored once, at a level it has, the grade on the scale."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opes_lti.groups.rubric import Criterion, Level, Rubric, RubricError

LEVELS = (Level("insufficiente", 0), Level("adeguato", 2), Level("ottimo", 4))
RUBRIC = Rubric(
    (Criterion("need", "Analisi del bisogno", LEVELS), Criterion("plan", "Piano", LEVELS))
)


def test_a_review_scores_the_levels_it_chose_and_the_grade_follows() -> None:
    assert RUBRIC.most == 8
    assert RUBRIC.score({"need": 2, "plan": 1}) == 6
    assert RUBRIC.grade([6, 8], scale=30) == pytest.approx(26.25)
    assert RUBRIC.grade([]) is None


@pytest.mark.parametrize(
    ("chosen", "what"),
    [
        ({"need": 2}, "unscored"),
        ({"need": 2, "plan": 3}, "no_such_level"),
        ({"need": -1, "plan": 0}, "no_such_level"),
        ({"need": 0, "plan": 0, "extra": 1}, "unknown_criterion"),
    ],
)
def test_a_review_that_cannot_be_scored_says_where(chosen: dict[str, int], what: str) -> None:
    with pytest.raises(RubricError) as refused:
        RUBRIC.score(chosen)
    assert refused.value.what == what


def test_a_rubric_that_cannot_be_used_is_refused() -> None:
    for criteria, what in [
        ((), "no_criteria"),
        ((Criterion("a", "A", LEVELS), Criterion("a", "B", LEVELS)), "criterion_code"),
        ((Criterion("a", "A", LEVELS[:1]),), "too_few_levels"),
        ((Criterion("a", "A", (Level("x", 0), Level("y", 0))),), "no_points"),
        ((Criterion("a", "A", (Level("x", -1), Level("y", 1))),), "negative_points"),
    ]:
        with pytest.raises(RubricError) as refused:
            Rubric(criteria)
        assert refused.value.what == what


@given(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 2)), min_size=1, max_size=20))
def test_grades_stay_on_the_scale(reviews: list[tuple[int, int]]) -> None:
    scores = [RUBRIC.score({"need": a, "plan": b}) for a, b in reviews]
    grade = RUBRIC.grade(scores)
    assert grade is not None
    assert 0 <= grade <= 100
