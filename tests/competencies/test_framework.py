"""Frameworks: the shipped ones, the spreadsheet and CASE formats, and their errors."""

from __future__ import annotations

import csv
import io
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opes_lti.competencies import builtin, case, csvformat
from opes_lti.competencies.framework import (
    Area,
    Competency,
    Framework,
    FrameworkError,
    Text,
    check,
)


def _tiny(**changes: object) -> Framework:
    competency = Competency(
        code="A.1",
        title=Text("Ascolto", "Listening"),
        description=Text("Ascoltare i destinatari", ""),
        descriptors=(Text("poco", "little"), Text("molto", "a lot")),
        targets={"manager": 2},
    )
    values = {
        "id": "tiny",
        "version": "1",
        "title": Text("Piccolo", "Tiny"),
        "scope": "person",
        "levels": (Text("Base", "Basic"), Text("Alto", "High")),
        "areas": (Area("A", Text("Area A", "Area A"), (competency,)),),
    }
    return Framework(**(values | changes))  # type: ignore[arg-type]


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


@pytest.mark.parametrize("name", builtin.NAMES)
def test_spreadsheet_round_trip_keeps_every_value(name: str) -> None:
    framework = builtin.load(name)
    again = csvformat.read(csvformat.write(framework), csvformat.header_of(framework))
    assert again == framework


@pytest.mark.parametrize("name", builtin.NAMES)
def test_case_round_trip_keeps_every_value_and_is_stable(name: str) -> None:
    framework = builtin.load(name)
    text = case.dumps(framework)
    assert case.loads(text) == framework
    assert case.dumps(case.loads(text)) == text  # same identifiers, same file


def test_case_package_has_the_case_shape() -> None:
    package = case.dump(_tiny())
    assert set(package) == {"CFDocument", "CFItems", "CFAssociations", "CFRubrics"}
    kinds = sorted(item["CFItemType"] for item in package["CFItems"])
    assert kinds == ["Area", "Competenza"]
    assert {a["associationType"] for a in package["CFAssociations"]} == {"isChildOf"}
    levels = package["CFRubrics"][0]["CFRubricCriteria"][0]["CFRubricCriterionLevels"]
    assert [(lv["score"], lv["quality"]) for lv in levels] == [(1, "Base"), (2, "Alto")]


def test_spreadsheet_accepts_semicolons_and_an_excel_byte_order_mark() -> None:
    framework = _tiny()
    text = "\ufeff" + csvformat.write(framework).replace(",", ";")
    assert csvformat.read(text, csvformat.header_of(framework)) == framework


def _errors(text: str, framework: Framework | None = None) -> list[str]:
    header = csvformat.header_of(framework or _tiny())
    with pytest.raises(FrameworkError) as caught:
        csvformat.read(text, header)
    return [str(p) for p in caught.value.problems]


def test_spreadsheet_errors_name_the_row_and_column() -> None:
    good = csvformat.write(_tiny()).splitlines()
    rows = [good[0], good[1], "B,Area B,,B.1,,Titolo en,,,uno,,,,x,,"]
    errors = _errors("\n".join(rows))
    assert "row 3, column title_it: empty" in errors
    assert "row 3, column level_2_it: empty" in errors
    assert "row 3, column target_manager: 'x' is not a level" in errors


def test_spreadsheet_errors_from_the_framework_check_name_the_row() -> None:
    good = csvformat.write(_tiny()).splitlines()
    duplicate = good[1].replace("Ascolto", "Altro")
    errors = _errors("\n".join([good[0], good[1], duplicate, good[1].replace(",2", ",9")]))
    assert "row 3, column code: 'A.1' is already used on row 2" in errors
    assert "row 4, column code: 'A.1' is already used on row 2" in errors


def test_spreadsheet_without_required_columns_says_which() -> None:
    errors = _errors("area,titolo\nA,x\n")
    assert "row 1: column 'code' is missing" in errors
    assert "row 1: column 'title_it' is missing" in errors


def test_spreadsheet_target_beyond_the_scale_is_refused() -> None:
    text = csvformat.write(_tiny()).replace("a lot,2,", "a lot,7,")
    assert "row 2, competence A.1: target for manager must lie between 1 and 2" in _errors(text)


def test_case_errors_name_the_json_path() -> None:
    package = case.dump(_tiny())
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
    package = case.dump(_tiny())
    package["CFAssociations"] = []
    with pytest.raises(FrameworkError, match="no area is a child"):
        case.load(package)


def test_check_finds_a_scale_too_short_and_a_missing_italian_title() -> None:
    problems = [str(p) for p in check(_tiny(levels=(Text("solo"),), title=Text("", "Only")))]
    assert "framework.title: the Italian title is missing" in problems
    assert "framework.levels: a scale has 2 to 10 levels" in problems
    assert any("2 level descriptors for 1 levels" in p for p in problems)


def test_text_falls_back_to_italian_when_english_is_missing() -> None:
    assert Text("Ciao").get("en") == "Ciao"
    assert Text("Ciao", "Hello").get("en") == "Hello"
    assert Text("Ciao", "Hello").get("it") == "Ciao"
    assert json.dumps(Text("Ciao").as_dict()) == '{"it": "Ciao"}'


def test_report_tables_keep_spreadsheet_formulas_from_running() -> None:
    text = csvformat.table(["code", "title", "n"], [["A.1", "=HYPERLINK(1)", 5], ["A.2", "-x", 0]])
    assert text.splitlines() == ["code,title,n", "A.1,'=HYPERLINK(1),5", "A.2,'-x,0"]


HOSTILE_START = st.sampled_from(["=", "+", "-", "@", "'", "\t", "\r", "", "=HYPERLINK(", "-2"])
FIELD_TEXT = st.builds(
    lambda start, rest: (start + rest).strip() or "x",
    HOSTILE_START,
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=20),
)


@given(title=FIELD_TEXT, level=FIELD_TEXT, description=FIELD_TEXT)
def test_spreadsheet_cells_never_run_as_formulas_and_read_back_unchanged(
    title: str, level: str, description: str
) -> None:
    framework = _tiny(
        title=Text(title, level),
        levels=(Text(level, title), Text("Alto", "High")),
        description=Text(description, ""),
    )
    if check(framework):
        return  # not a framework the library would take; nothing to write
    text = csvformat.write(framework)
    for row in csv.reader(io.StringIO(text, newline="")):
        for value in row:
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")) or _is_number(value)
    assert csvformat.read(text) == framework


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


@given(value=st.floats(allow_nan=False, allow_infinity=False) | st.integers())
def test_report_numbers_stay_numbers(value: float) -> None:
    for written in (value, f"{value:.3f}"):
        text = csvformat.table(["n"], [[written]])
        assert text.splitlines()[1] == str(written)
