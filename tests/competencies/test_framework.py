"""Frameworks: the shipped ones complete in both languages, and the framework check."""

from __future__ import annotations

import json

import pytest

from opes_lti.competencies import builtin
from opes_lti.competencies.framework import (
    Text,
    check,
)
from tests.support.factories import tiny_framework


@pytest.mark.parametrize("name", builtin.NAMES)
def test_shipped_framework_is_complete_in_italian_and_english(name: str) -> None:
    framework = builtin.load(name)
    assert check(framework) == []
    assert framework.title.it
    assert framework.title.en
    assert all(level.it and level.en for level in framework.levels)
    for area, competency in framework.competencies():
        assert area.title.en, area.code
        texts = [competency.title, competency.description, *competency.descriptors]
        assert all(t.it and t.en for t in texts), competency.code
        assert competency.target("manager") is not None


def test_shipped_person_framework_covers_the_programme_areas() -> None:
    framework = builtin.load(builtin.DEFAULT)
    assert framework.scope == "person"
    assert [a.code for a in framework.areas] == ["PS", "GO", "PA", "RI"]
    assert framework.max_level == 5
    assert sum(1 for _ in framework.competencies()) >= 15
    assert builtin.load("opes-organizzazione").scope == "organisation"


def test_check_finds_a_scale_too_short_and_a_missing_italian_title() -> None:
    problems = [
        str(p) for p in check(tiny_framework(levels=(Text("solo"),), title=Text("", "Only")))
    ]
    assert "framework.title: the Italian title is missing" in problems
    assert "framework.levels: a scale has 2 to 10 levels" in problems
    assert any("2 level descriptors for 1 levels" in p for p in problems)


def test_text_falls_back_to_italian_when_english_is_missing() -> None:
    assert Text("Ciao").get("en") == "Ciao"
    assert Text("Ciao", "Hello").get("en") == "Hello"
    assert Text("Ciao", "Hello").get("it") == "Ciao"
    assert json.dumps(Text("Ciao").as_dict()) == '{"it": "Ciao"}'
