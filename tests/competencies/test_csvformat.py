"""The spreadsheet format: round trips, errors by row and column, cells never formulas."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opes_lti.competencies import builtin, csvformat
from opes_lti.competencies.framework import (
    Framework,
    FrameworkError,
    Text,
    check,
)
from tests.support.factories import tiny_framework


@pytest.mark.parametrize("name", builtin.NAMES)
def test_spreadsheet_round_trip_keeps_every_value(name: str) -> None:
    framework = builtin.load(name)
    again = csvformat.read(csvformat.write(framework), csvformat.header_of(framework))
    assert again == framework


def test_spreadsheet_accepts_semicolons_and_an_excel_byte_order_mark() -> None:
    framework = tiny_framework()
    text = "\ufeff" + csvformat.write(framework).replace(",", ";")
    assert csvformat.read(text, csvformat.header_of(framework)) == framework


def _errors(text: str, framework: Framework | None = None) -> list[str]:
    header = csvformat.header_of(framework or tiny_framework())
    with pytest.raises(FrameworkError) as caught:
        csvformat.read(text, header)
    return [str(p) for p in caught.value.problems]


def test_spreadsheet_errors_name_the_row_and_column() -> None:
    good = csvformat.write(tiny_framework()).splitlines()
    rows = [good[0], good[1], "B,Area B,,B.1,,Titolo en,,,uno,,,,x,,"]
    errors = _errors("\n".join(rows))
    assert "row 3, column title_it: empty" in errors
    assert "row 3, column level_2_it: empty" in errors
    assert "row 3, column target_manager: 'x' is not a level" in errors


def test_spreadsheet_errors_from_the_framework_check_name_the_row() -> None:
    good = csvformat.write(tiny_framework()).splitlines()
    duplicate = good[1].replace("Ascolto", "Altro")
    errors = _errors("\n".join([good[0], good[1], duplicate, good[1].replace(",2", ",9")]))
    assert "row 3, column code: 'A.1' is already used on row 2" in errors
    assert "row 4, column code: 'A.1' is already used on row 2" in errors


def test_spreadsheet_without_required_columns_says_which() -> None:
    errors = _errors("area,titolo\nA,x\n")
    assert "row 1: column 'code' is missing" in errors
    assert "row 1: column 'title_it' is missing" in errors


def test_spreadsheet_target_beyond_the_scale_is_refused() -> None:
    text = csvformat.write(tiny_framework()).replace("a lot,2,", "a lot,7,")
    assert "row 2, competence A.1: target for manager must lie between 1 and 2" in _errors(text)


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
    framework = tiny_framework(
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
