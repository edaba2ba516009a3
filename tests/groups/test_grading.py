"""Member grades by scheme, with their parts; an override wins and keeps its reason."""

from __future__ import annotations

import pytest

from opes_lti.groups.grading import Override, member_grades
from tests.groups.test_webpa import MARKS, MEMBERS


def test_the_group_grade_goes_to_every_member() -> None:
    found = member_grades("group", MEMBERS, group_grade=72)
    assert [g.grade for g in found] == [72] * 5
    assert member_grades("group", MEMBERS, group_grade=None)[0].grade is None


def test_webpa_adjusts_and_an_override_wins_with_its_reason() -> None:
    fix = Override(50, "Assente a due incontri su tre", "docente-1")
    found = {
        g.member: g
        for g in member_grades(
            "webpa", MEMBERS, group_grade=60, marks=MARKS, overrides={"Elaine": fix}
        )
    }
    assert found["Bob"].grade == pytest.approx(74.36, abs=0.01)
    assert found["Bob"].webpa_score == pytest.approx(1.48, abs=0.01)
    assert found["Elaine"].grade == 50
    assert found["Elaine"].computed == pytest.approx(42.52, abs=0.01)
    assert found["Elaine"].override == fix
    assert found["Elaine"].rated is False


def test_individual_grades_are_each_members_own() -> None:
    found = member_grades("individual", ["a", "b"], group_grade=None, individual={"a": 80})
    assert [(g.member, g.grade) for g in found] == [("a", 80), ("b", None)]


@pytest.mark.parametrize(
    "override",
    [Override(120, "troppo", "d"), Override(-1, "negativo", "d"), Override(50, "  ", "d")],
)
def test_an_override_off_the_scale_or_without_reason_is_refused(override: Override) -> None:
    with pytest.raises(ValueError, match="reason"):
        member_grades("group", ["a"], group_grade=60, overrides={"a": override})


def test_an_override_for_someone_outside_the_group_is_refused() -> None:
    with pytest.raises(ValueError, match="not a member"):
        member_grades("group", ["a"], group_grade=60, overrides={"z": Override(1, "r", "d")})
