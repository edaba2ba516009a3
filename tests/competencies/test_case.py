"""The CASE format: round trips, its shape, and errors located by JSON path."""

from __future__ import annotations

import pytest

from opes_lti.competencies import builtin, case
from opes_lti.competencies.framework import (
    FrameworkError,
)
from tests.support.factories import tiny_framework


@pytest.mark.parametrize("name", builtin.NAMES)
def test_case_round_trip_keeps_every_value_and_is_stable(name: str) -> None:
    framework = builtin.load(name)
    text = case.dumps(framework)
    assert case.loads(text) == framework
    assert case.dumps(case.loads(text)) == text  # same identifiers, same file


def test_case_package_has_the_case_shape() -> None:
    package = case.dump(tiny_framework())
    assert set(package) == {"CFDocument", "CFItems", "CFAssociations", "CFRubrics"}
    kinds = sorted(item["CFItemType"] for item in package["CFItems"])
    assert kinds == ["Area", "Competenza"]
    assert {a["associationType"] for a in package["CFAssociations"]} == {"isChildOf"}
    levels = package["CFRubrics"][0]["CFRubricCriteria"][0]["CFRubricCriterionLevels"]
    assert [(lv["score"], lv["quality"]) for lv in levels] == [(1, "Base"), (2, "Alto")]


def test_case_errors_name_the_json_path() -> None:
    package = case.dump(tiny_framework())
    package["CFItems"][1]["fullStatement"] = 42
    del package["CFRubrics"][0]["CFRubricCriteria"][0]["CFRubricCriterionLevels"][1]["score"]
    with pytest.raises(FrameworkError) as caught:
        case.load(package)
    errors = [str(p) for p in caught.value.problems]
    assert "CFItems[1].fullStatement: expected a string" in errors
    assert (
        "CFRubrics[0].CFRubricCriteria[0].CFRubricCriterionLevels[1].score: "
        "expected a whole number" in errors
    )


def test_case_bad_json_is_located_by_line_and_column() -> None:
    with pytest.raises(FrameworkError) as caught:
        case.loads('{"CFDocument": {\n  "title": }')
    assert str(caught.value.problems[0]).startswith("line 2, column 12: not JSON")


def test_case_without_a_document_or_areas_is_refused_clearly() -> None:
    with pytest.raises(FrameworkError, match="CFDocument: expected an object"):
        case.load({"CFItems": []})
    with pytest.raises(FrameworkError, match="expected a JSON object"):
        case.load([1, 2])
    package = case.dump(tiny_framework())
    package["CFAssociations"] = []
    with pytest.raises(FrameworkError, match="no area is a child"):
        case.load(package)
