"""Groups from an instructor's spreadsheet: read with its problems, line by line."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from opes_lti.groups.csvgroups import Problem, learners, read
from opes_lti.groups.formation import Bounds

ROSTER = ["u1", "u2", "u3", "u4"]


def test_an_italian_spreadsheet_with_semicolons_is_read() -> None:
    found = read(
        "\ufeffPersona;Gruppo\nu1;Alfa\nu2;Alfa\n\nu3;Beta\nu4;Beta\n", ROSTER, Bounds(2, 3)
    )
    assert found.groups == {"Alfa": ["u1", "u2"], "Beta": ["u3", "u4"]}
    assert found.problems == []
    assert found.usable


def test_every_problem_is_told_with_its_line_and_nothing_is_usable() -> None:
    text = "learner,group\nu1,Alfa\nu9,Alfa\nu1,Beta\nu2,\nu3,Beta,extra\nu4,Gamma\n"
    found = read(text, ROSTER, Bounds(2, 3))
    assert found.problems == [
        Problem(3, "unknown_learner", "u9"),
        Problem(4, "twice", "u1"),
        Problem(5, "no_group", "u2"),
        Problem(6, "columns", "3"),
        Problem(2, "size", "Alfa"),
        Problem(7, "size", "Gamma"),
    ]
    assert not found.usable


def test_a_file_without_the_header_says_so() -> None:
    assert read("nome,squadra\nu1,A\n", ROSTER, Bounds(1, 3)).problems == [
        Problem(1, "header", "nome,squadra")
    ]
    assert read("", ROSTER, Bounds(1, 3)).problems == [Problem(1, "header")]


@given(st.text(max_size=400))
def test_any_text_gives_groups_of_known_learners_or_problems_never_an_error(text: str) -> None:
    found = read("learner,group\n" + text, ROSTER, Bounds(1, 4))
    placed = [who for members in found.groups.values() for who in members]
    assert set(placed) <= set(ROSTER)
    assert len(placed) == len(set(placed))


def test_an_unreadable_file_is_a_problem_not_an_error() -> None:
    found = read("learner,group\nu1," + "x" * 200_000 + "\n", ROSTER, Bounds(1, 3))
    assert [p.what for p in found.problems] == ["unreadable"]
    assert not found.usable


@given(st.lists(st.tuples(st.sampled_from(["u1", "u2", " u3 ", "x", ""]), st.text(max_size=5)),
                max_size=12), st.sampled_from([",", ";"]))  # fmt: skip
def test_the_learners_named_are_those_read_checks(cells: list[tuple[str, str]], sep: str) -> None:
    # The block looks up these on the platform before reading: any learner the reading
    # would check must be among them (an empty cell names nobody, and stays unknown).
    lines = [f"persona{sep}gruppo"] + [f"{a}{sep}{b}".replace("\n", " ") for a, b in cells]
    text = "\n".join(lines)
    named = learners(text)
    found = read(text, named, Bounds(1, 50))
    assert not [p for p in found.problems if p.what == "unknown_learner" and p.value]
    placed = [u for users in found.groups.values() for u in users]
    assert set(placed) <= set(named)
    assert len(named) == len(set(named))


@given(st.text(max_size=60))
def test_a_sheet_saved_as_utf8_or_by_an_older_spreadsheet_is_read(text: str) -> None:
    from opes_lti.groups.csvgroups import decoded

    assert decoded(text.encode("utf-8")) == text.removeprefix("\ufeff")
    assert decoded("\ufeff".encode() + text.encode()) == text
    assert decoded("Attività;Città\n".encode("cp1252")) == "Attività;Città\n"
