"""WebPA against its published worked example and its edge cases."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opes_lti.groups import webpa

MEMBERS = ["Alice", "Bob", "Claire", "David", "Elaine"]
#: The WebPA project's worked example: rows are the marks each gave; Elaine gave none.
MARKS = {
    "Alice": dict(zip(MEMBERS, (4, 4, 3, 2, 1), strict=True)),
    "Bob": dict(zip(MEMBERS, (3, 5, 3, 2, 0), strict=True)),
    "Claire": dict(zip(MEMBERS, (4, 4, 4, 4, 4), strict=True)),
    "David": dict(zip(MEMBERS, (3, 5, 4, 3, 1), strict=True)),
}


def test_the_worked_example() -> None:
    found = {a.member: a for a in webpa.grades(MEMBERS, MARKS, 60, weight=0.5)}
    # Its WebPA scores (to the example's 2 decimals), and the marks from a group mark of
    # 60 at 50% weighting (the example rounds at each step, so the last digit may differ).
    expected = {"Alice": (1.13, 63.90), "Bob": (1.48, 74.35), "Claire": (1.12, 63.57),
                "David": (0.86, 55.66), "Elaine": (0.42, 42.52)}  # fmt: skip
    for member, (score, grade) in expected.items():
        assert round(found[member].score, 2) == score
        assert found[member].grade == pytest.approx(grade, abs=0.02)
    assert not found["Elaine"].rated
    penalised = {a.member: a.grade for a in webpa.grades(MEMBERS, MARKS, 60, penalty=0.1)}
    assert penalised["Elaine"] == pytest.approx(found["Elaine"].grade * 0.9)
    assert penalised["Bob"] == pytest.approx(found["Bob"].grade)


def test_nobody_rates_everyone_gets_the_group_grade() -> None:
    assert [a.grade for a in webpa.grades(MEMBERS, {}, 70)] == [70.0] * 5


def test_one_rater_gives_everything_to_one_member_capped_to_the_scale() -> None:
    only = {"Alice": {"Bob": 10}}
    found = {a.member: a for a in webpa.grades(MEMBERS, only, 90, weight=1.0)}
    assert found["Bob"].score == pytest.approx(5.0)
    assert found["Bob"].grade == 100.0  # capped
    assert found["Claire"].grade == 0.0


@given(
    st.lists(st.lists(st.integers(0, 5), min_size=4, max_size=4), min_size=4, max_size=4),
    st.floats(0, 100),
)
def test_scores_average_one_so_the_group_keeps_its_grade_on_average(
    rows: list[list[int]], group_grade: float
) -> None:
    members = ["a", "b", "c", "d"]
    marks = {r: dict(zip(members, row, strict=True)) for r, row in zip(members, rows, strict=True)}
    found = webpa.scores(members, marks)
    assert sum(found.values()) / len(members) == pytest.approx(1.0)
    graded = webpa.grades(members, marks, group_grade, weight=0.5, scale_max=10**9)
    mean = sum(a.grade for a in graded) / len(members)
    assert mean == pytest.approx(group_grade, abs=1e-6)


def test_bad_weights_are_refused() -> None:
    with pytest.raises(ValueError, match="fractions"):
        webpa.grades(MEMBERS, MARKS, 60, weight=1.5)
